"""``POST /client_perf`` (Mattermost's api4/metrics.go): the apps' performance reports, validated as
Mattermost does and recorded in the Prometheus registry under Mattermost's metric names and labels."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import World, assert_error


def samples(world: World) -> dict[str, float]:
    out: dict[str, float] = {}
    assert world.srv.metrics is not None
    for family in text_string_to_metric_families(world.srv.metrics.exposition().decode()):
        for s in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            out[f"{s.name}{{{labels}}}"] = s.value
    return out


def report(world: World, **fields: Any) -> dict[str, Any]:
    now = world.srv.app.core.now()
    return {"version": "0.1.0", "client_id": "c1", "labels": {"platform": "Linux", "agent": "chrome"},
            "start": now - 60_000, "end": now - 1000, **fields}


def enable(world: World, **settings: Any) -> None:
    m = world.srv.config.effective.MetricsSettings
    m.Enable = True
    for k, v in settings.items():
        setattr(m, k, v)


async def test_report_recorded_with_mattermosts_names(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    enable(world, ClientSideUserIds=[bob.user["id"]])
    body = report(world, counters=[{"metric": "long_tasks", "value": 3}, {"metric": "unknown_counter", "value": 1}],
                  histograms=[
                      {"metric": "page_load", "value": 1500},
                      {"metric": "channel_switch", "value": 250, "labels": {"fresh": "TRUE"}},
                      {"metric": "LCP", "value": 800, "labels": {"region": "nowhere"}},
                      {"metric": "CLS", "value": 0.25},
                      {"metric": "desktop_memory", "value": 350_000, "labels": {"process": "renderer"}},
                      {"metric": "mobile_network_requests_total_requests", "value": 12,
                       "labels": {"network_request_group": "Cold Start"}},
                      {"metric": "not_a_metric", "value": 5},
                  ])
    r = await admin.post("/client_perf", body)
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    r = await bob.post("/client_perf", report(world, labels={"platform": "beos", "agent": "lynx"},
                                               counters=[{"metric": "long_tasks", "value": 2}]))
    assert r.status_code == 200, r.text

    got = samples(world)
    web = "agent=chrome,platform=linux,user_id=<placeholder>"
    assert got[f"mattermost_webapp_long_tasks_total{{{web}}}"] == 3
    # bob is listed in ClientSideUserIds; unknown platforms and agents are "other"
    assert got[f"mattermost_webapp_long_tasks_total{{agent=other,platform=other,user_id={bob.user['id']}}}"] == 2
    # milliseconds become seconds
    assert got[f"mattermost_webapp_page_load_sum{{{web}}}"] == 1.5
    assert got["mattermost_webapp_page_load_bucket{agent=chrome,le=2.5,platform=linux,user_id=<placeholder>}"] == 1
    assert got["mattermost_webapp_page_load_bucket{agent=chrome,le=1.0,platform=linux,user_id=<placeholder>}"] == 0
    assert got["mattermost_webapp_channel_switch_sum{agent=chrome,fresh=true,platform=linux,"
               "user_id=<placeholder>}"] == 0.25
    assert got["mattermost_webapp_largest_contentful_paint_count{agent=chrome,platform=linux,region=other,"
               "user_id=<placeholder>}"] == 1
    assert got[f"mattermost_webapp_cumulative_layout_shift_sum{{{web}}}"] == 0.25
    assert got["mattermost_desktopapp_memory_usage_sum{platform=linux,processName=renderer,version=}"] == 350
    assert got["mattermost_mobileapp_mobile_network_requests_total_requests_sum{agent=chrome,"
               "network_request_group=Cold Start,platform=linux}"] == 12
    assert not any("unknown_counter" in k or "not_a_metric" in k for k in got)


async def test_bad_reports_are_400_and_record_nothing(world: World) -> None:
    admin = await world.user("admin")
    enable(world)
    now = world.srv.app.core.now()
    bad = [
        report(world, version="1.0.0"),
        report(world, version="0.2.0"),
        report(world, version="not a version"),
        report(world, version=""),
        report(world, start=now, end=now - 10),
        report(world, start=now - 900_000, end=now - 600_000),  # outdated (more than 5 minutes old)
        report(world, counters=[{"metric": "long_tasks", "value": -1}]),
        report(world, histograms=[{"metric": "page_load", "value": "fast"}]),
        report(world, labels={"platform": 7}),
    ]
    for body in bad:
        assert_error(await admin.post("/client_perf", body), 400, "api.context.invalid_body_param.app_error")
    for raw in (b"{", b"[]", b"null"):
        r = await admin.post("/client_perf", content=raw, headers={"Content-Type": "application/json"})
        assert_error(r, 400, "api.context.invalid_body_param.app_error")
    assert (await admin.post("/client_perf", report(world, version="v0.1"))).status_code == 200
    assert not any(k.startswith("mattermost_") and not k.endswith("_created") and v
                   for k, v in samples(world).items())


async def test_off_unless_metrics_and_client_metrics_are_on(world: World) -> None:
    admin = await world.user("admin")
    assert_error(await world.client().post("/client_perf", report(world)), 401)
    body = report(world, counters=[{"metric": "long_tasks", "value": 1}])
    # metrics off (the default): an empty 200, the report unread, even a bad one
    for sent in (body, {"version": "9"}):
        r = await admin.post("/client_perf", sent)
        assert r.status_code == 200 and r.content == b"", r.text
    assert (await admin.get("/config/client?format=old")).json()["EnableClientMetrics"] == "false"
    enable(world, EnableClientMetrics=False)
    r = await admin.post("/client_perf", body)
    assert r.status_code == 200 and r.content == b""
    assert not any(k.startswith("mattermost_webapp_long_tasks_total") for k in samples(world))
    world.srv.config.effective.MetricsSettings.EnableClientMetrics = True
    assert (await admin.get("/config/client?format=old")).json()["EnableClientMetrics"] == "true"
    assert (await admin.post("/client_perf", body)).json() == {"status": "OK"}
    assert any(k.startswith("mattermost_webapp_long_tasks_total") and v == 1 for k, v in samples(world).items())
