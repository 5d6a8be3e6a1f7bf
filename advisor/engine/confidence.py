"""How much of what a verdict depends on the inventory and the profile actually told us.

Counting every fact the rules read would say little: most facts can never be unknown (a
name, a template flag, a catalog limit) and pad the share of known facts until nearly
every server scores 5 of 5 while its backup, owner and copy time are unknown. Confidence
counts *topics* instead: the questions a verdict hinges on that the data may leave open.
A topic counts when an enabled rule reads one of its facts, and is known when all of its
deciding facts are known for the server. The share of known topics gives 1 to 5 in
fifths, as Azure Migrate rates data points (0-20 % -> 1 ... 81-100 % -> 5), and the
unknown topics are named, so the workbook says what lowered each server's confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Topic:
    """One question a verdict may hinge on."""

    name: str
    #: Facts that must all be known for the topic to be known.
    known_when: tuple[str, ...]
    #: Facts rules read that depend on the topic; the topic counts when one is read.
    used_by: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic("size", ("vcpus", "memory_gib"), ("vcpus", "memory_gib", "fits_instance", "size_known")),
    Topic("storage in use", ("used_gib",), ("used_gib", "transfer_hours")),
    Topic(
        "disk layout",
        ("os_disk_gib",),
        ("os_disk_gib", "largest_data_disk_gib", "volumes_needed", "shared_disk_count"),
    ),
    Topic("OS version", ("os_eol",), ("os_eol", "os_supported_on_target")),
    Topic(
        "backup",
        ("backup_state",),
        ("has_backup_tool", "backup_stated", "snapshot_only_backup", "backup_declined"),
    ),
    Topic("owner", ("has_owner",), ("has_owner",)),
    Topic("purpose", ("has_documentation",), ("has_documentation",)),
    Topic("copy time", ("transfer_hours",), ("transfer_hours",)),
    Topic("users' round trip", ("user_rtt_ms",), ("user_rtt_ms", "rtt_ms")),
    Topic("networks", ("nic_networks",), ("nic_networks", "manual_mac")),
)


def counted_topics(facts: pd.DataFrame, read: frozenset[str]) -> list[Topic]:
    """Topics an enabled rule depends on and the facts table can answer."""
    return [
        t for t in TOPICS if set(t.used_by) & read and all(f in facts.columns for f in t.known_when)
    ]


def confidence(facts: pd.DataFrame, read: frozenset[str]) -> tuple[pd.Series, pd.Series]:
    """Per server: confidence 1-5 and the unknown topics that lowered it ('' when none)."""
    topics = counted_topics(facts, read)
    if not topics:
        return (
            pd.Series(5, index=facts.index, dtype=int),
            pd.Series("", index=facts.index, dtype="string"),
        )
    known = np.column_stack(
        [facts[list(t.known_when)].notna().all(axis=1).to_numpy() for t in topics]
    )
    share = known.mean(axis=1)
    level = np.clip(np.ceil(share * 5 - 1e-9), 1, 5).astype(int)
    # Servers share few combinations of unknown topics: spell each once.
    combos, inverse = np.unique(known, axis=0, return_inverse=True)
    spelled = [
        ", ".join(t.name for t, k in zip(topics, combo, strict=True) if not k) for combo in combos
    ]
    gaps = np.array(spelled, dtype=object)[inverse.reshape(-1)]
    return (
        pd.Series(level, index=facts.index),
        pd.Series(gaps, index=facts.index, dtype="string"),
    )
