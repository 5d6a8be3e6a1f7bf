"""Security facts: secrets in notes (reported by field, never by value), internet-facing
servers and their ports, mail servers and the target's SMTP restriction."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fact_helpers import by_name, run_modules

from advisor.facts import identity, inventory_facts, location, network, security
from advisor.inventory import load_inventory
from advisor.inventory.schema import Inventory, Source, conform

SAMPLES = Path(__file__).resolve().parents[2] / "sample_inventories"
AS_OF = pd.Timestamp("2026-09-30", tz="UTC")
MODULES = (inventory_facts, identity, location, network, security)


def _run(inv: Inventory, provider: str = "exoscale") -> pd.DataFrame:
    return by_name(run_modules(inv, MODULES, provider=provider, as_of=AS_OF))


def _facts(servers: list[dict], provider: str = "exoscale") -> pd.DataFrame:
    rows = [{"id": f"vm-{i}", "name": f"srv-{i:02d}", **row} for i, row in enumerate(servers)]
    inv = Inventory(
        servers=conform("servers", pd.DataFrame(rows)),
        source=Source(path="test", format="rvtools"),
    )
    return _run(inv, provider)


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return _run(load_inventory(SAMPLES / "acme-rvtools.xlsx"))


def _names(frame: pd.DataFrame, fact: str) -> set[str]:
    return set(frame.index[frame[fact].fillna(False).astype(bool)])


def _text_facts(frame: pd.DataFrame) -> str:
    names = [f.name for f in security.FACTS if f.unit == "text"]
    return " ".join(str(v) for v in frame[names].to_numpy().ravel() if not pd.isna(v))


def test_sample_security(sample):
    assert _names(sample, "password_in_notes") == {"bsl-print-01"}
    assert sample.loc["bsl-print-01", "secret_field"] == "annotation"
    assert "Sommer2019" not in _text_facts(sample)
    assert not _names(sample, "token_in_notes")
    public = {"bsl-lb-01", "bsl-sftp-01", "bsl-edi-01", "bsl-rdgw-01", "bsl-rdgw-02", "bsl-voip-01"}
    assert _names(sample, "internet_facing") == public  # not the outbound-only DMZ relay
    assert sample.loc["bsl-lb-01", "inbound_ports"] == "tcp/80, tcp/443"
    assert sample.loc["bsl-sftp-01", "inbound_ports"] == "tcp/22"
    assert sample.loc["bsl-rdgw-01", "inbound_ports"] == "tcp/443, udp/3391"
    assert _names(sample, "sends_mail_outbound") == {"bsl-exch-01", "bsl-smtp-01"}
    assert set(sample["target_inbound_default"]) == {"deny"}
    assert set(sample["target_smtp_outbound"]) == {"restricted"}


def test_scaleway_unverified():
    f = _facts([{}], provider="scaleway")
    assert f["target_inbound_default"].iloc[0] == "unverified"
    assert f["target_smtp_outbound"].iloc[0] == "unverified"


@pytest.mark.parametrize(
    ("note", "found"),
    [
        ("local admin Administrator / pw: Sommer2019!", True),
        ("root password=Tr0ub4dor&3", True),
        ("Kennwort: Geheim123", True),
        ("mot de passe : soleil42", True),
        ("credentials: svc_backup / Backup2024", True),
        ("connects to https://svc:Hunter22@db.example.local/app", True),
        ("Password: see KeePass", False),
        ("password in the vault", False),
        ("Password reset via self-service portal", False),
        ("secret: stored in CyberArk", False),
        ("PW: ***", False),
        ("Secret Manager holds the PSK", False),
        # credential pairs: an account, '/' or ':', a value
        ("user/password", True),
        ("admin / Secr3t!", True),
        ("root/toor", True),
        ("sa:pass", True),
        ("ESXi root/VMware1!", True),
        ("CORP\\svc_sql / Summer2020", True),
        ("admin:admin", True),
        ("login: admin / Pa55word", True),
        # ... and what only looks like one
        ("logs rotate in /var/log", False),
        ("migrated 12/2024", False),
        ("Owner: N/A", False),
        ("TCP/IP and/or UDP", False),
        ("read/write access for admin/user roles", False),
        ("Admin: IT department", False),  # a label, not a pair
        ("user/computer objects", False),
        ("root/admin access required", False),
        ("see /root/.ssh/authorized_keys", False),
        ("Backup Sa/So", False),
        ("Login/Password: see vault", False),
        ("DOMAIN\\admin / ***", False),
    ],
)
def test_password_patterns(note, found):
    f = _facts([{"annotation": note}])
    assert bool(f["password_in_notes"].iloc[0]) is found


def test_password_in_custom_attribute_named_not_printed():
    f = _facts([{"attr.Root PW": "toor2024", "annotation": "web server"}])
    assert f["secret_field"].iloc[0] == "custom attribute 'Root PW'"
    assert "toor2024" not in _text_facts(f)


@pytest.mark.parametrize(
    ("note", "kind"),
    [
        ("-----BEGIN RSA PRIVATE KEY----- MIIEpAIBAAKCAQEA", "private key"),
        ("deploy with AKIAIOSFODNN7EXAMPLE", "AWS access key"),
        ("api_key = 9f8e7d6c5b4a39281706f5e4", "API key or token"),
        ("API key rotation is yearly", None),
    ],
)
def test_tokens(note, kind):
    f = _facts([{"annotation": note}])
    got = f["token_kind"].iloc[0]
    assert (None if pd.isna(got) else got) == kind
    if kind:
        assert f["token_field"].iloc[0] == "annotation"
        assert "AKIAIOSFODNN7EXAMPLE" not in _text_facts(f)


def test_internet_facing_evidence_and_negation():
    f = _facts(
        [
            {"application": "Reverse proxy (nginx)", "annotation": "port forward 443 from WAN"},
            {"annotation": "No public IP, internal only"},
            {"annotation": "Postfix in the DMZ for outgoing mail"},
            {"annotation": "DMZ host for the partner portal"},
        ]
    )
    assert f["internet_facing"].tolist() == [True, False, False, True]
    assert f.loc["srv-00", "inbound_ports"] == "tcp/80, tcp/443"
    assert pd.isna(f.loc["srv-01", "inbound_ports"])  # only for internet-facing servers
    assert f.loc["srv-03", "internet_facing_evidence"] == "'dmz'"


def test_mail_never_from_a_dns_domain():
    """A '.mx' domain made a domain controller a mail server: only host labels count."""
    f = _facts(
        [
            {"name": "dc01", "dns_name": "dc01.corp.mx"},
            {"name": "srv-0002", "dns_name": "smtp-gw.example.com"},
            {"name": "mailhost3"},
            {"name": "BOWEXCHSVC1"},
            {"name": "edi-01", "application": "Data exchange with suppliers"},
            {"name": "app-06", "annotation": "Sends its alerts to the SMTP relay on mailhost3"},
        ]
    )
    assert _names(f, "sends_mail_outbound") == {"srv-0002", "mailhost3", "BOWEXCHSVC1"}
    assert f.loc["srv-0002", "mail_evidence"] == "DNS name 'smtp-gw'"
    assert f.loc["mailhost3", "mail_evidence"] == "name 'mailhost3'"
    assert pd.isna(f.loc["dc01", "mail_evidence"])


def test_real_export_mail_servers(corpus):
    f = _run(load_inventory(corpus / "rvtools-3.x-trimmed-3tabs.xlsx"))
    assert _names(f, "sends_mail_outbound") == {
        "mailhost3",
        "mailhost4",
        "mailhubdev1",
        "BOWEXCHSVC1",
    }
    g = _run(load_inventory(corpus / "rvtools-3.x-trimmed-5tabs.xlsx"))
    assert _names(g, "sends_mail_outbound") == {"EXCHAP01", "EXCHAP02", "EXCHAP03"}
    # no secrets in these exports' notes
    assert not _names(f, "password_in_notes") and not _names(g, "password_in_notes")
