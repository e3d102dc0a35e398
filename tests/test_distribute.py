"""STRATEGY: the same training steps on one device and mirrored over two (logical) CPUs."""

import json
import subprocess
import sys

import pytest
from conftest import env_importing_lessons

from helpers.distribute import make_strategy
from helpers.params import ParameterError

# Logical devices must be declared before TensorFlow starts, so this runs in a fresh process.
RUN = """
import json
import keras
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from helpers.data import load_text
from helpers.dataset import make_dataset
from helpers.distribute import make_strategy
from lessons import compiled_04
from helpers.vocab import Vocab

text = load_text()[:30_000]
vocab = Vocab.from_text(text)
dataset = make_dataset(vocab.encode(text), 30, 16, buffer_size=None, max_batches=3)  # the same batches each epoch
losses = {}
for name, devices in (("default", None), ("mirrored", ["/cpu:0", "/cpu:1"])):
    strategy = make_strategy(name, devices)
    keras.utils.set_random_seed(1)
    with strategy.scope():
        model = compiled_04(vocab, RNN_UNITS=32, GRU_IMPL="fused", LEARNING_RATE=0.01)  # STRATEGY="default": the one in scope
    history = model.fit(dataset, epochs=3, shuffle=False, verbose=0).history
    losses[name] = {"replicas": strategy.num_replicas_in_sync, "loss": history["loss"]}
print(json.dumps(losses))
"""


@pytest.mark.end_to_end
def test_mirrored_over_two_cpus_trains_like_one_device(corpus_path):
    done = subprocess.run([sys.executable, "-c", RUN], capture_output=True, text=True, timeout=300, env=env_importing_lessons())
    assert done.returncode == 0, done.stderr[-3000:]
    losses = json.loads(done.stdout.strip().splitlines()[-1])
    assert losses["default"]["replicas"] == 1 and losses["mirrored"]["replicas"] == 2
    # Each replica takes half of every batch; the summed gradients equal the whole batch's up to
    # float32 rounding, so three epochs of three steps agree within 1e-5 (2.4e-7 measured here).
    assert losses["mirrored"]["loss"] == pytest.approx(losses["default"]["loss"], rel=1e-5)
    assert losses["default"]["loss"][-1] < losses["default"]["loss"][0]


def test_unknown_strategy_and_missing_tpu_say_what_to_do():
    with pytest.raises(ParameterError, match=r"STRATEGY='tpu', but this runtime has no TPU .*Change runtime type"):
        make_strategy("tpu")
