"""Connectivity recommendations: how each site should reach the target zone.

`_connectivity` proposes a link per site (IPsec, SD-WAN or a private link) from its uplink,
data and findings; `_network_points` adds the general points (VPN gateway, routing, layer 2,
security groups, public addresses, private link) from the target catalogue, and collects
what the catalogue could not verify.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from advisor.report.formatting import (
    _na,
    fmt_as_of,
    fmt_days,
    fmt_gib,
    fmt_hours,
    fmt_int,
    fmt_ms,
    plural,
    public_url,
)
from advisor.report.model_context import _Context, _site_table
from advisor.report.model_types import (
    LATENCY_SENSITIVE,
    SDWAN_MIN_SITES,
    UPLINK_STRAIN,
    Connectivity,
    Point,
    SitePlan,
)


def _yes_no(value: bool | None, yes: str, no: str, unknown: str) -> str:
    return unknown if value is None else (yes if value else no)


def _source(section: Any) -> str:
    """The public address a catalog section rests on, with its date in words; '' when the
    source is none a reader could open (advisor's own notes are never printed)."""
    src = getattr(section, "source", None)
    url = public_url(getattr(src, "url", None))
    if not url:
        return ""
    as_of = fmt_as_of(getattr(src, "as_of", None))
    return f"{url} (as of {as_of})" if as_of else url


def _connectivity(ctx: _Context) -> Connectivity:
    cat = ctx.catalog
    provider = ctx.provider
    sites = _site_table(ctx)
    link = cat.private_link
    link_name = f"{provider} {link.name}" if link is not None else "a private link"
    f = ctx.failed
    per_site = (
        f[f["site"].notna()].groupby(["site", "code"])["server_id"].nunique()
        if not f.empty
        else pd.Series(dtype="int64")
    )
    seed_limit = ctx.param("BWD003", "max_seed_hours")
    target = ctx.profile.target.zone
    plans: list[SitePlan] = []
    many = len(sites) >= SDWAN_MIN_SITES
    private_sites = 0
    for name, r in sites.iterrows():
        reasons = []
        private = False
        hours = r.get("site_transfer_hours")
        if seed_limit is not None and not _na(hours) and float(hours) > float(seed_limit):
            private = True
            reasons.append(
                f"Seeding takes {fmt_hours(hours)} ({fmt_days(hours)}) over the uplink, above the "
                f"{fmt_int(seed_limit)} h limit: a private link, or a temporary uplink upgrade, "
                "shortens it."
            )
        sensitive = [
            c
            for c in LATENCY_SENSITIVE
            if (name, c) in per_site.index and per_site.loc[(name, c)] > 0
        ]
        if sensitive:
            private = True
            n = int(sum(per_site.loc[(name, c)] for c in sensitive))
            reasons.append(
                f"{plural(n, 'latency-sensitive finding')} ({', '.join(sensitive)}): users here "
                "need a round trip the internet does not guarantee."
            )
        strained = [c for c in UPLINK_STRAIN if (name, c) in per_site.index]
        if strained:
            n = int(sum(per_site.loc[(name, c)] for c in strained))
            reasons.append(
                f"{plural(n, 'finding')} about office traffic over the uplink "
                f"({', '.join(strained)}): size the tunnel for it, raise the uplink or keep a "
                "local cache or domain controller at the site."
            )
        if (name, "LAT004") in per_site.index and not _na(r.get("nearest_zone")):
            reasons.append(
                f"Zone {r['nearest_zone']} is nearer ({fmt_ms(r.get('nearest_zone_rtt_ms'))} "
                f"instead of {fmt_ms(r.get('rtt_ms'))} to {target}): consider it for this "
                "site's servers."
            )
        if _na(r.get("site_uplink_mbps")):
            reasons.append("The uplink is not known: the tunnel cannot be sized.")
        if private:
            private_sites += 1
            link_text = f"IPsec VPN now; {link_name} for guarantees"
        elif many:
            link_text = "SD-WAN (IPsec underneath)"
        else:
            link_text = "Site-to-site IPsec VPN"
        near = r.get("nearest_zone")
        plans.append(
            SitePlan(
                name=str(name),
                servers=fmt_int(r["servers"]),
                used=fmt_gib(r.get("site_used_gib")),
                uplink="unknown"
                if _na(r.get("site_uplink_mbps"))
                else f"{fmt_int(r['site_uplink_mbps'])} Mbit/s",
                users=fmt_int(r.get("site_users")),
                rtt=fmt_ms(r.get("rtt_ms")),
                nearest="" if _na(near) else str(near),
                copy_time=fmt_hours(hours),
                link=link_text,
                reasons=reasons,
            )
        )
    points, unverified = _network_points(ctx, many, private_sites, link_name)
    if plans:
        intro = (
            f"How each of the {plural(len(plans), 'site')} should reach {provider} {target}, "
            "derived from its uplink, its data and the findings at that site. A site-to-site "
            "IPsec VPN is the default; "
            + (
                f"with {len(plans)} sites an SD-WAN overlay that treats the zone as one more "
                "site is simpler to run than separate tunnels; "
                if many
                else ""
            )
            + "a private link is advised where seeding time or latency needs guarantees."
        )
    else:
        intro = (
            "The engagement profile describes no sites, so no per-site plan can be made. The "
            f"general pattern for {provider} follows; add the sites (location, uplink, users "
            "and their datacenters) to the profile to get a plan per site."
        )
    return Connectivity(
        intro=intro, sites=plans, points=points, unverified=unverified, no_sites=not plans
    )


def _network_points(
    ctx: _Context, many: bool, private_sites: int, link_name: str
) -> tuple[list[Point], list[str]]:
    cat = ctx.catalog
    provider = ctx.provider
    vpn, pn, sg = cat.vpn, cat.private_network, cat.security_groups
    eip, link = cat.elastic_ip, cat.private_link
    unverified: list[str] = []
    points: list[Point] = []

    if vpn.managed_site_to_site is False:
        text = (
            f"{provider} offers no managed site-to-site VPN. Run an IPsec gateway as an "
            "instance in the zone (for example strongSwan or VyOS), two of them in an "
            "anti-affinity group for resilience, each with a static private address and an "
            "elastic IP as the tunnel end point."
        )
    elif vpn.managed_site_to_site:
        routing = (
            f" Routing: {vpn.routing}; the on-premises device must support it."
            if (vpn.routing)
            else ""
        )
        text = (
            f"{provider} offers a managed site-to-site VPN gateway attached to the private "
            f"network.{routing} Check its maturity and limits before relying on it; a "
            "gateway instance is the fallback."
        )
    else:
        text = (
            "Whether a managed site-to-site VPN exists could not be verified: plan a gateway "
            "instance in the zone and confirm with the provider."
        )
        unverified.append(f"a managed site-to-site VPN at {provider}")
    if many:
        text += (
            " With this many sites, an SD-WAN appliance in the zone joins the existing "
            "overlay instead of one tunnel per site."
        )
    points.append(Point("VPN gateway", text, _source(vpn)))

    points.append(
        Point(
            "Routing",
            "Every instance must send traffic for on-premises address ranges to the VPN "
            "gateway's private address: set a static route on each instance (by DHCP option "
            "121 on a managed private network, cloud-init or configuration management), and "
            "route the zone's private range back to the gateway on-premises. Address ranges "
            "in the zone must not overlap with those of any site.",
        )
    )

    l2 = ctx.a.portfolio_facts.get("target_layer2_stretch")
    mac = _yes_no(
        pn.custom_mac_allowed,
        "Instances may use their own MAC addresses",
        "Each instance may only send with the MAC address the platform assigned, so "
        "virtual MACs (VRRP, keepalived, Windows NLB) and MAC-bound licences need another "
        "design",
        "Whether instances may use their own MAC addresses is unverified",
    )
    if pn.custom_mac_allowed is None:
        unverified.append("custom MAC addresses on private networks")
    zones = _yes_no(
        pn.spans_zones,
        "A private network spans the zones of a region",
        "A private network stays inside one zone",
        "Whether a private network spans zones is unverified",
    )
    l2_text = (
        "Layer-2 extension between the sites and the zone is not available: a VLAN cannot "
        "be stretched, so each migrated subnet gets new addresses, or is routed, and the "
        "switch-over of a subnet happens when its last server has moved. "
        if l2 is not True
        else ""
    )
    points.append(Point("No layer-2 extension", f"{l2_text}{mac}. {zones}.", _source(pn)))

    if sg.default_inbound == "deny":
        sg_text = (
            "Security groups deny all inbound traffic by default. Open only the ports each "
            "service needs, from the VPN ranges or named security groups, and nothing from "
            "the internet unless the service is public."
        )
    elif sg.default_inbound == "allow":
        sg_text = (
            "Security groups allow inbound traffic by default: add explicit deny rules, or "
            "restrict each instance to the ports its service needs."
        )
    else:
        sg_text = (
            "The default inbound stance of security groups is unverified: assume nothing is "
            "filtered until a rule set denying inbound traffic by default is in place."
        )
        unverified.append(f"the default inbound rule of {provider} security groups")
    if pn.security_groups_apply is False:
        sg_text += (
            " Security groups do not filter traffic on private networks: use host firewalls "
            "between tiers."
        )
    if sg.smtp_outbound_restricted:
        sg_text += " Outbound SMTP is blocked until the provider lifts it on request."
    elif sg.smtp_outbound_restricted is None:
        unverified.append("whether outbound SMTP is restricted")
    points.append(Point("Security groups", sg_text, _source(sg)))

    if eip is not None:
        if eip.available:
            text = (
                "Public services move to new addresses. An elastic IP keeps an address "
                "across instance rebuilds and failover; update DNS records and partner "
                "allow-lists before the cut-over."
            )
        else:
            text = (
                "Public services move to new addresses; whether movable (elastic) IPs exist "
                "is unverified, so plan DNS changes and partner allow-lists for each "
                "cut-over."
            )
            unverified.append(f"elastic IPs at {provider}")
        points.append(Point("Public addresses", text, _source(eip)))

    if link is not None:
        if link.available:
            text = (
                f"{link_name} connects a site to the zone's private network over a dedicated "
                "line with predictable bandwidth and round trip. "
                + (
                    f"It is advised for {plural(private_sites, 'site')} above; the others "
                    "can stay on IPsec."
                    if private_sites
                    else "No site needs it on the findings of this assessment."
                )
            )
        else:
            text = f"Whether {link_name} is available is unverified."
            unverified.append(f"the availability of {link_name}")
        points.append(Point("Private link", text, _source(link)))
    return points, unverified
