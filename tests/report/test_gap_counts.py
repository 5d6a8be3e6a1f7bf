"""The topics that lowered confidence, as the report and the workbook list them: counted
per server, most common first, each written with a capital ('Backup' beside 'OS version')."""

from __future__ import annotations

import pandas as pd

from advisor.report.scope_frames import gap_counts


def test_topics_are_counted_per_server_and_written_with_a_capital():
    servers = pd.DataFrame(
        {
            "confidence_gaps": pd.Series(
                ["backup, OS version", "backup", None, "", "OS version, owner", "backup"],
                dtype="string",
            )
        }
    )
    counts = gap_counts(servers)
    assert counts.to_dict() == {"Backup": 3, "OS version": 2, "Owner": 1}
    assert list(counts.index) == ["Backup", "OS version", "Owner"]


def test_no_gaps_give_an_empty_count():
    servers = pd.DataFrame({"confidence_gaps": pd.Series([None, ""], dtype="string")})
    assert gap_counts(servers).empty
    assert gap_counts(pd.DataFrame({"name": ["a"]})).empty
