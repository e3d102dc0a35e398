"""Where training runs: one device, a copy of the model on each of several devices, or a TPU (STRATEGY)."""

from __future__ import annotations

import tensorflow as tf

from helpers.messages import message
from helpers.params import ParameterError, check_value


def make_strategy(name: str = "default", devices: list[str] | None = None) -> tf.distribute.Strategy:
    """The ``tf.distribute`` strategy called ``name`` (docs/multi-device.md): build and compile the model inside its
    ``scope()``. Under "mirrored", ``fit`` splits each batch between the ``devices``: BATCH_SIZE is the global batch."""
    check_value("STRATEGY", name)
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(devices)
    if name == "tpu":
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
        except (ValueError, tf.errors.NotFoundError) as error:
            raise ParameterError(message("distribute.no_tpu", error=error)) from None
        return tf.distribute.TPUStrategy(resolver)


def on_tpu() -> bool:
    """Whether the strategy in scope runs on a TPU."""
    return isinstance(tf.distribute.get_strategy(), tf.distribute.TPUStrategy)
