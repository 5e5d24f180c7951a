"""Years of outcome history from a hidden model the engine never sees: offices search,
weigh candidates by two-way fit, kinds, distance, trust and NDA friction, and walk each
introduction down the funnel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from data.generator.items import mask_rows
from data.generator.outcome_frames import STAGE_STEPS, event_frames
from data.generator.shares import KIND_AFFINITY, choice
from data.records import DECLINE_REASONS
from data.taxonomy import TAGS

STEP_OFFSET = np.array([0.3, -0.3, -1.5, -2.4, -1.6])  # harder each step down the funnel


def popcount(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x).astype(np.float64)


SEARCH_WIDTH = 8  # candidates an office weighs before it asks for an introduction


@dataclass(frozen=True)
class World:
    """What the hidden model of outcomes reads (never seen by the engine)."""

    strengths: np.ndarray
    needs: np.ndarray
    kind: np.ndarray
    nda: np.ndarray
    lat: np.ndarray  # radians
    lon: np.ndarray

    def utility(self, a, b, trusted: np.ndarray, success: np.ndarray, n: int):
        """Hidden utility of pairs (before noise): two-way fit, kinds, distance, trust, NDA."""
        cov_ab = popcount(self.needs[a] & self.strengths[b]) / np.maximum(popcount(self.needs[a]), 1)
        cov_ba = popcount(self.needs[b] & self.strengths[a]) / np.maximum(popcount(self.needs[b]), 1)
        lat, lon = self.lat, self.lon
        dist = 6371 * np.arccos(np.clip(
            np.sin(lat[a]) * np.sin(lat[b]) + np.cos(lat[a]) * np.cos(lat[b]) * np.cos(lon[a] - lon[b]),
            -1, 1))
        trust = np.isin(np.minimum(a, b) * n + np.maximum(a, b), trusted)
        friction = (((self.nda[a] == 2) & (self.nda[b] == 0))
                    | ((self.nda[a] == 0) & (self.nda[b] == 2)))
        value = (2.6 * np.sqrt(cov_ab * cov_ba) + 0.9 * np.maximum(cov_ab, cov_ba)
                 + KIND_AFFINITY[self.kind[a], self.kind[b]] - 0.35 * np.minimum(dist / 500, 3)
                 + 1.0 * trust + 0.25 * np.log1p(success[b]) - 1.0 * friction - 1.7)
        return value, cov_ab, friction, dist


def history(rng, orgs, strength_mask, need_mask, latent, years: int, end: datetime, seed: int):
    n = orgs.height
    activity = latent["activity"]
    world = World(strengths=strength_mask, needs=need_mask, kind=latent["kind"], nda=latent["nda"],
                   lat=np.radians(latent["lat"]), lon=np.radians(latent["lon"]))
    periods = years * 4
    start = end - timedelta(days=years * 365)
    reg_day = latent["registered_days"] - 365.0  # days since history start
    search = Search(strength_mask, need_mask, n)

    success = np.zeros(n)  # earlier contracts per organisation (reputation)
    trusted: np.ndarray = np.empty(0, dtype=np.int64)  # pair keys with an earlier contract
    events = []
    for p in range(periods):
        day0 = p * 365.0 / 4
        live = reg_day <= day0 + 45
        # Newcomers are eager: they ask for introductions more in their first half-year.
        eager = 1 + 2.0 * ((day0 - reg_day >= -45) & (day0 - reg_day < 180))
        weight = activity * live * eager
        m = max(1, int(0.3 * live.sum()))
        a = choice(rng, weight, m)
        # Offices search with intent: each weighs a few candidates (found through its needs
        # or by reputation) and asks for the one that seems to fit best.
        cands = search.draw(rng, a, weight, SEARCH_WIDTH)
        flat_a = np.repeat(a, SEARCH_WIDTH)
        flat_b = cands.ravel()
        usable = (flat_b >= 0) & (flat_b != flat_a) & live[np.maximum(flat_b, 0)]
        value = world.utility(flat_a, np.maximum(flat_b, 0), trusted, success, n)[0]
        seen = np.where(usable, value + rng.gumbel(0, 1.0, len(value)), -np.inf).reshape(m, -1)
        b = cands[np.arange(m), np.argmax(seen, axis=1)]
        ok = np.isfinite(seen.max(axis=1))
        # Now and then an earlier successful pair works together again.
        repeat = (rng.random(m) < 0.08) & (len(trusted) > 0)
        if repeat.any():
            pick = trusted[rng.integers(0, len(trusted), int(repeat.sum()))]
            a[repeat], b[repeat] = pick // n, pick % n
            ok[repeat] = True
        a, b = a[ok], b[ok]
        value, cov_ab, friction, dist = world.utility(a, b, trusted, success, n)
        utility = value + rng.normal(0, 0.6, len(a))
        t0 = day0 + rng.random(len(a)) * 91
        events.append(funnel(rng, a, b, utility, t0, cov_ab, friction, dist))
        contract = events[-1][1]
        won = (np.minimum(a, b) * n + np.maximum(a, b))[contract]
        success += np.bincount(a[contract], minlength=n) + np.bincount(b[contract], minlength=n)
        trusted = np.union1d(trusted, won)
    return event_frames(rng, events, orgs, strength_mask, world.kind, start, end, seed)


class Search:
    """Where offices find candidates: holders of a needed capability, or reputation."""

    def __init__(self, strength_mask: np.ndarray, need_mask: np.ndarray, n: int) -> None:
        org_idx, tag_idx = mask_rows(strength_mask)
        order = np.argsort(tag_idx, kind="stable")
        self.bucket_orgs, bucket_tags = org_idx[order], tag_idx[order]
        self.bucket_start = np.searchsorted(bucket_tags, np.arange(len(TAGS)))
        self.bucket_len = np.searchsorted(bucket_tags, np.arange(len(TAGS)), side="right") - (
            self.bucket_start)
        need_org, self.need_tag = mask_rows(need_mask)
        self.need_start = np.searchsorted(need_org, np.arange(n))
        self.need_count = np.bincount(need_org, minlength=n)

    def draw(self, rng, a: np.ndarray, weight: np.ndarray, width: int) -> np.ndarray:
        """``width`` candidates per asker (-1 where a need has no holder): 60% by need."""
        flat_a = np.repeat(a, width)
        out = np.empty(len(flat_a), dtype=np.int64)
        by_need = rng.random(len(flat_a)) < 0.6
        asker = flat_a[by_need]
        k = self.need_start[asker] + (rng.random(len(asker)) * self.need_count[asker]).astype(int)
        t = self.need_tag[k]
        pos = self.bucket_start[t] + (rng.random(len(t)) * np.maximum(self.bucket_len[t], 1)).astype(int)
        found = self.bucket_orgs[np.minimum(pos, len(self.bucket_orgs) - 1)]
        out[by_need] = np.where(self.bucket_len[t] > 0, found, -1)
        out[~by_need] = choice(rng, weight ** 1.2 + 1e-9, int((~by_need).sum()))
        return out.reshape(len(a), width)


def funnel(rng, a, b, utility, t0, cov_ab, friction, dist):
    """Walk each suggestion down the funnel; returns event rows and who reached contract."""
    m = len(a)
    reached = np.zeros(m, dtype=np.int64)  # 0 = suggested, i = STAGE_STEPS[i-1]
    alive = np.ones(m, dtype=bool)
    declined = np.zeros(m, dtype=bool)
    for step, offset in enumerate(STEP_OFFSET):
        p = 1 / (1 + np.exp(-(utility + offset)))
        passed = alive & (rng.random(m) < p)
        failed = alive & ~passed
        # A suggestion nobody answers stays "suggested"; later failures are declines.
        declined |= failed & ((step > 0) | (rng.random(m) < 0.45))
        reached[passed] = step + 1
        alive = passed
    gaps = rng.exponential(25, (m, len(STAGE_STEPS) + 1)) + 3
    times = t0[:, None] + np.cumsum(np.concatenate([np.zeros((m, 1)), gaps[:, :-1]], 1), 1)
    reason = np.where(friction, DECLINE_REASONS.index("nda_terms"),
                      np.where(dist > 800, DECLINE_REASONS.index("distance"),
                               np.where(cov_ab < 0.2, DECLINE_REASONS.index("no_fit"),
                                        rng.choice([1, 2, 4, 7], m))))
    contract = reached >= 4
    return (a, b, reached, declined, times, reason), contract
