"""Generation: sample one character at a time, feeding the RNN state back in."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import tensorflow as tf

from helpers.messages import message
from helpers.params import ParameterError, check_value
from helpers.vocab import Vocab


@tf.function(jit_compile=True)  # XLA's random numbers differ from TensorFlow's: XLA everywhere, same draws everywhere
def sample_logits(logits, temperature, top_k, seeds):
    """Draw one id per row of ``logits`` (batch, vocab_size) at ``temperature``, among each row's ``top_k`` likeliest
    (None: all), row i with its own seed pair ``seeds[i]``."""
    logits = logits / temperature
    if top_k is not None:  # tf.sort, not tf.math.top_k, whose k must be a constant under XLA
        kth_best = tf.gather(tf.sort(logits, direction="DESCENDING"), [top_k - 1], axis=1)
        logits = tf.where(logits < kth_best, -np.inf, logits)

    def draw(row):  # one draw per row, not one for the batch: a prompt gives the same text alone or among others
        row_logits, row_seed = row
        return tf.random.stateless_categorical(row_logits[None], 1, seed=row_seed, dtype=tf.int32)[0, 0]

    return tf.map_fn(draw, (logits, seeds), fn_output_signature=tf.int32)


class Generator(tf.Module):
    """The whole sampling loop for one model, prompt reading included: traced once, and compiled by XLA (where it
    can) once per shape of its input."""

    def __init__(self, model):
        super().__init__()
        self.model, self.jit_compile = model, True
        self.sample = self._compile(True)

    def _compile(self, jit_compile: bool):
        # Tensors only, of any shape: one trace serves every call (XLA still compiles once per shape),
        # and tf.saved_model.save can export it.
        return tf.function(self.sampling_loop, jit_compile=jit_compile, input_signature=[
            tf.TensorSpec([None, None], tf.int32, name="ids"),
            tf.TensorSpec([None], tf.int32, name="prompt_lengths"),
            tf.TensorSpec([], tf.int32, name="num_chars"),
            tf.TensorSpec([], tf.float32, name="temperature"),
            tf.TensorSpec([], tf.int32, name="top_k"),
            tf.TensorSpec([], tf.int32, name="seed"),
        ])

    def sampling_loop(self, ids, prompt_lengths, num_chars, temperature, top_k, seed):
        """``ids`` (batch, length) with ``num_chars`` sampled ids after each row's prompt (its first ``prompt_lengths[i]``
        ids), row i with the seed ``seed + i``; ``top_k`` equal to the vocabulary's size keeps every character."""
        batch, length = tf.shape(ids)[0], tf.shape(ids)[1]
        row_seeds = seed + tf.range(batch)
        end = tf.reduce_max(prompt_lengths) + num_chars
        logits, states = self.model(ids[:, :1], return_state=True)  # from a zero state

        def step(t, ids, logits, states):
            last, seeds = logits[:, -1], tf.stack([row_seeds, tf.fill([batch], t)], axis=1)
            sampled = tf.cond(top_k < tf.shape(last)[1], lambda: sample_logits(last, temperature, top_k, seeds),
                              lambda: sample_logits(last, temperature, None, seeds))  # no limit: skip the sort
            next_ids = tf.where(t + 1 < prompt_lengths, ids[:, t + 1], sampled)  # the prompt while it lasts
            ids = tf.where(tf.range(length) == t + 1, next_ids[:, None], ids)
            logits, states = self.model(next_ids[:, None], states=states, return_state=True)
            return t + 1, ids, logits, states

        return tf.while_loop(lambda t, *_: t + 1 < end, step, (0, ids, logits, states))[1]

    def __call__(self, ids, prompt_lengths, num_chars, temperature, top_k, seed) -> np.ndarray:
        """``sample`` as NumPy; if XLA cannot compile it, warn once and use a plain tf.function from then on."""
        args = (ids, prompt_lengths, np.int32(num_chars), np.float32(temperature), np.int32(top_k), np.int32(seed))
        try:
            return self.sample(*args).numpy()
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError, tf.errors.InternalError) as error:
            if not self.jit_compile:
                raise
            reason = re.sub(r"\[.*?\]|\{\{.*?\}\}", "", error.message.splitlines()[0])[:200]  # without graph attributes
            warnings.warn(message("generation.no_xla", reason=reason), stacklevel=3)
            self.jit_compile = False
            self.sample = self._compile(False)
            return self.sample(*args).numpy()


def generator_for(model) -> Generator:
    """The model's Generator, made on first use and kept with the model, so it is traced once."""
    return model.traced_once("generator", lambda: Generator(model))


def generate(model, vocab: Vocab, start_string: str | list[str] = "ROMEO: ", num_chars: int = 1000,
             temperature: float = 1.0, top_k: int | None = None, seed: int | None = None) -> str | list[str]:
    """Continue ``start_string`` (or each of a list, prompt i with ``seed + i``) by ``num_chars`` sampled characters."""
    prompts = [start_string] if isinstance(start_string, str) else list(start_string)
    check_value("TEMPERATURE", temperature)
    check_value("TOP_K", top_k)
    if top_k is not None and top_k > len(vocab):  # what only the model knows
        raise ParameterError(message("generation.top_k_too_large", top_k=top_k, size=len(vocab)))
    check_value("NUM_GENERATE", num_chars)
    if not prompts:
        raise ParameterError(message("generation.no_prompt"))
    for prompt in prompts:
        check_value("START_STRING", prompt)
        vocab.check(prompt, "START_STRING")
    if seed is None:
        seed = int(np.random.default_rng().integers(2**31))
    check_value("SEED", seed)
    if seed >= 2**31:  # the sampler's seeds are 32-bit
        raise ParameterError(message("generation.seed_too_large", seed=seed, limit=2**31))

    # The prompts side by side, room for the text padded to a power of two: XLA compiles once per shape.
    lengths = np.array([len(p) for p in prompts], np.int32)
    ids = np.zeros((len(prompts), 2 ** math.ceil(math.log2(lengths.max() + num_chars))), np.int32)
    for row, prompt in zip(ids, prompts):
        row[:len(prompt)] = vocab.encode(prompt)
    ids = generator_for(model)(ids, lengths, num_chars, temperature, len(vocab) if top_k is None else top_k, seed)
    texts = [vocab.decode(row[:n + num_chars]) for row, n in zip(ids, lengths)]
    return texts[0] if isinstance(start_string, str) else texts
