"""Service-contact outcomes of the synthetic sample book (who handled it, waits, ratings).

The rates are calibrated *in expectation* to the the metric dictionary, docs/lineage.md targets, whatever the number of
contacts: channel, topic and hour are drawn independently from known weights, so the expected
bot replacement rate and human connection rate can be solved for exactly (see
:func:`transfer_base_probability` and :func:`not_connected_base_probability`).

Definitions (the metric dictionary, docs/lineage.md):

* bot replacement rate = contacts with ``handled_by == "bot"`` and not ``transferred_to_human``
  ÷ all contacts;
* a *human-queue* contact is one with ``handled_by == "human"`` OR ``transferred_to_human``
  (it waited for a person); ``connected`` is set only on those rows (missing elsewhere);
* human connection rate = human-queue contacts with ``connected`` ÷ human-queue contacts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memberdesk.sample import catalog as cat


@dataclass(frozen=True)
class ContactOutcomes:
    """Column arrays for a batch of contacts (all of length n).

    ``connected`` is float (1.0/0.0, NaN outside the human queue); ``satisfaction`` is float
    (1-5, NaN when the member did not rate); ``wait_seconds`` is seconds in the human queue
    (0 for contacts the bot closed alone). ``bad_experience`` marks an unresolved contact or a
    rating of 2 or less: it raises the member's lapse hazard for the next months.
    """

    channel: np.ndarray
    topic: np.ndarray
    hour: np.ndarray
    bot: np.ndarray
    transferred: np.ndarray
    connected: np.ndarray
    wait_seconds: np.ndarray
    resolved: np.ndarray
    satisfaction: np.ndarray
    bad_experience: np.ndarray


def _normalised(weights: tuple[float, ...]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.asarray(w / w.sum())


def transfer_base_probability(target: float = cat.TARGET_BOT_REPLACEMENT) -> float:
    """Base probability that a bot contact is transferred, before the topic factor.

    Solves E[P(bot)] · (1 − t0 · E[topic factor]) = target, with channel and topic drawn
    independently from the catalogue weights.
    """
    p_bot = float(_normalised(cat.CONTACT_CHANNEL_WEIGHTS) @ np.asarray(cat.BOT_PROBABILITY))
    factor = float(_normalised(cat.TOPIC_WEIGHTS) @ np.asarray(cat.TOPIC_TRANSFER_FACTOR))
    if target > p_bot:
        raise ValueError(f"bot replacement target {target} exceeds the bot share {p_bot:.3f}")
    return (1.0 - target / p_bot) / factor


def not_connected_base_probability(target: float = cat.TARGET_HUMAN_CONNECTION) -> float:
    """Base probability that a human-queue contact is not answered, before the hour factor.

    Solves t0 · E[busy factor of the hour] = 1 − target (hour independent of the queue).
    """
    busy = float(_normalised(cat.HOUR_WEIGHTS) @ np.asarray(cat.HOUR_BUSY_FACTOR))
    return (1.0 - target) / busy


def draw_contact_outcomes(rng: np.random.Generator, n: int) -> ContactOutcomes:
    """Draw channel, topic, hour and the outcome of ``n`` contacts."""
    channel = rng.choice(len(cat.CONTACT_CHANNELS), size=n, p=_normalised(cat.CONTACT_CHANNEL_WEIGHTS))
    topic = rng.choice(len(cat.TOPICS), size=n, p=_normalised(cat.TOPIC_WEIGHTS))
    hour = rng.choice(24, size=n, p=_normalised(cat.HOUR_WEIGHTS))
    busy = np.asarray(cat.HOUR_BUSY_FACTOR)[hour]

    bot = rng.random(n) < np.asarray(cat.BOT_PROBABILITY)[channel]
    p_transfer = transfer_base_probability() * np.asarray(cat.TOPIC_TRANSFER_FACTOR)[topic]
    transferred = bot & (rng.random(n) < p_transfer)
    queue = ~bot | transferred
    answered = rng.random(n) >= not_connected_base_probability() * busy
    connected = np.where(queue, answered.astype(float), np.nan)

    # Seconds waited for a person: answered contacts wait ~25 s at a normal hour; those who hung
    # up had waited longer. Bot-only contacts do not queue.
    wait_answered = 25.0 * busy * rng.lognormal(0.0, 0.9, n)
    wait_abandoned = 95.0 * busy * rng.lognormal(0.0, 0.6, n)
    wait = np.where(queue, np.where(answered, wait_answered, wait_abandoned), 0.0)
    wait = np.round(np.minimum(wait, 3_600.0))

    complaint = topic == cat.TOPICS.index("complaint")
    p_resolved = np.where(bot & ~transferred, np.where(complaint, 0.55, 0.87), 0.91)
    resolved = (rng.random(n) < p_resolved) & (~queue | answered)

    rated = rng.random(n) < 0.6
    good = rng.choice([3.0, 4.0, 5.0], size=n, p=[0.12, 0.36, 0.52])
    poor = rng.choice([1.0, 2.0, 3.0], size=n, p=[0.40, 0.35, 0.25])
    long_wait = wait > 120
    score = np.where(resolved, good - long_wait, poor)
    satisfaction = np.where(rated, np.clip(score, 1.0, 5.0), np.nan)
    bad = ~resolved | (satisfaction <= 2)
    return ContactOutcomes(channel, topic, hour, bot, transferred, connected, wait, resolved,
                           satisfaction, bad)


def concat_outcomes(parts: list[ContactOutcomes]) -> ContactOutcomes:
    """Join batches of contact outcomes (in order)."""
    fields = ContactOutcomes.__dataclass_fields__
    return ContactOutcomes(**{name: np.concatenate([getattr(p, name) for p in parts])
                              for name in fields})
