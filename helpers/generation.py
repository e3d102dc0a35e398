"""Generation: sample one character at a time, feeding the RNN state back in."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from helpers.params import ParameterError
from helpers.vocab import Vocab


def check_sampling(temperature: float, top_k: int | None, vocab_size: int) -> None:
    if not temperature > 0:
        raise ParameterError(f"TEMPERATURE={temperature!r} must be above 0 (1.0 samples the model as it is; lower is more cautious).")
    if top_k is not None and not 1 <= top_k <= vocab_size:
        raise ParameterError(f"TOP_K={top_k!r} must be between 1 and the vocabulary size {vocab_size}, or None for no limit.")


def sample_logits(logits, temperature: float, top_k: int | None, seed):
    """Draw one id per row of ``logits`` (batch, vocab_size), reproducibly for a given seed pair."""
    logits = logits / temperature
    if top_k is not None:
        kth_best = tf.math.top_k(logits, k=top_k).values[:, -1:]
        logits = tf.where(logits < kth_best, tf.fill(tf.shape(logits), -np.inf), logits)
    return tf.random.stateless_categorical(logits, num_samples=1, seed=seed, dtype=tf.int32)


class OneStep:
    """A compiled step: (last ids, RNN states, seed pair) -> (next ids, new RNN states)."""

    def __init__(self, model, temperature: float = 1.0, top_k: int | None = None):
        self.model = model
        self.temperature = temperature
        self.top_k = top_k

    @tf.function(reduce_retracing=True)
    def __call__(self, ids, states, seed):
        logits, states = self.model(ids, states=states, return_state=True)
        next_ids = sample_logits(logits[:, -1, :], self.temperature, self.top_k, seed)
        return next_ids, states


def generate(model, vocab: Vocab, start_string: str | list[str] = "ROMEO: ", num_chars: int = 1000,
             temperature: float = 1.0, top_k: int | None = None, seed: int | None = None) -> str | list[str]:
    """Continue ``start_string`` (or each of several) by ``num_chars`` sampled characters."""
    prompts = [start_string] if isinstance(start_string, str) else list(start_string)
    check_sampling(temperature, top_k, len(vocab))
    if num_chars < 0:
        raise ParameterError(f"NUM_GENERATE={num_chars!r} must be 0 or more.")
    if not prompts or any(not p for p in prompts):
        raise ParameterError("START_STRING must be a non-empty string (or a list of them), e.g. 'ROMEO: '.")
    for prompt in prompts:
        vocab.check(prompt, "START_STRING")
    if seed is None:
        seed = int(np.random.default_rng().integers(2**31))
    step = OneStep(model, temperature, top_k)

    # Read each prompt (they may differ in length), then sample all of them together.
    last_ids, states = [], []
    for i, prompt in enumerate(prompts):
        ids, state = step(tf.constant(vocab.encode(prompt)[None, :]), None, tf.constant([seed, -1 - i]))
        last_ids.append(ids)
        states.append(state)
    ids = tf.concat(last_ids, axis=0)
    states = tf.nest.map_structure(lambda *s: tf.concat(s, axis=0), *states)
    generated = [ids]
    for i in range(num_chars - 1):
        ids, states = step(ids, states, tf.constant([seed, i]))
        generated.append(ids)
    columns = tf.concat(generated, axis=1).numpy()[:, :num_chars]
    texts = [prompt + vocab.decode(row) for prompt, row in zip(prompts, columns)]
    return texts[0] if isinstance(start_string, str) else texts
