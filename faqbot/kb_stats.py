"""What a knowledge base holds, counted: ``faqbot kb stats``.

Entries, codes (active and deleted on a date), rules, sources by tier, entries per code family (the
family of the entry's first code), and the entries whose newest source was read more than a year
before the date: the ones due for a review.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from faqbot.model import SOURCE_TIERS, KnowledgeBase

STALE_AFTER = timedelta(days=365)
NO_FAMILY = "(no code)"


@dataclass(frozen=True, slots=True)
class KnowledgeStats:
    as_of: date
    entries: int
    codes: int
    codes_active: int
    codes_deleted: int
    codes_not_yet_effective: int
    rules: int
    sources: dict[str, int]  # tier -> count, every tier listed
    entries_per_family: dict[str, int]
    entries_per_aspect: dict[str, int]
    stale_entries: tuple[str, ...]  # ids of entries whose newest source is older than STALE_AFTER

    @property
    def strong_source_share(self) -> float:
        """Share of sources at ``regulator`` or ``society`` tier."""
        total = sum(self.sources.values())
        return (self.sources["regulator"] + self.sources["society"]) / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "entries": self.entries,
            "codes": self.codes,
            "codes_by_status": {
                "active": self.codes_active,
                "deleted": self.codes_deleted,
                "not_yet_effective": self.codes_not_yet_effective,
            },
            "rules": self.rules,
            "sources": self.sources,
            "strong_source_share": round(self.strong_source_share, 3),
            "entries_per_family": self.entries_per_family,
            "entries_per_aspect": self.entries_per_aspect,
            "stale_entries": list(self.stale_entries),
        }


def knowledge_stats(kb: KnowledgeBase, as_of: date) -> KnowledgeStats:
    statuses = Counter(card.status_on(as_of) for card in kb.codes.values())
    tiers: Counter[str] = Counter(source.tier for source in kb.sources.values())
    families = Counter(
        kb.codes[entry.codes[0]].family if entry.codes and entry.codes[0] in kb.codes else NO_FAMILY
        for entry in kb.entries
    )
    stale = tuple(
        entry.id
        for entry in kb.entries
        if max((kb.sources[s].accessed for s in entry.sources if s in kb.sources), default=date.min)
        < as_of - STALE_AFTER
    )
    return KnowledgeStats(
        as_of=as_of,
        entries=len(kb.entries),
        codes=len(kb.codes),
        codes_active=statuses["active"],
        codes_deleted=statuses["deleted"],
        codes_not_yet_effective=statuses["not_yet_effective"],
        rules=len(kb.rules),
        sources={tier: tiers[tier] for tier in SOURCE_TIERS},
        entries_per_family=dict(sorted(families.items(), key=lambda item: (-item[1], item[0]))),
        entries_per_aspect=dict(
            sorted(Counter(entry.aspect for entry in kb.entries).items(), key=lambda item: (-item[1], item[0]))
        ),
        stale_entries=stale,
    )


def format_stats(stats: KnowledgeStats) -> str:
    total_sources = sum(stats.sources.values())
    lines = [
        f"knowledge base as of {stats.as_of.isoformat()}",
        f"  entries: {stats.entries}",
        f"  codes:   {stats.codes} ({stats.codes_active} active, {stats.codes_deleted} deleted, "
        f"{stats.codes_not_yet_effective} not yet effective)",
        f"  rules:   {stats.rules}",
        f"  sources: {total_sources} ({stats.strong_source_share:.0%} regulator or society)",
        *(f"    {tier:<10}{count:>5}" for tier, count in stats.sources.items()),
        "  entries per family (of the first code):",
        *(f"    {family:<28}{count:>5}" for family, count in stats.entries_per_family.items()),
        "  entries per aspect:",
        *(f"    {aspect:<28}{count:>5}" for aspect, count in stats.entries_per_aspect.items()),
        f"  entries whose newest source is over a year old: {len(stats.stale_entries)}",
        *(f"    {entry_id}" for entry_id in stats.stale_entries),
    ]
    return "\n".join(lines)
