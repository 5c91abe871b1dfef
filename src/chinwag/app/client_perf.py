"""Client performance reports (``POST /client_perf``, Mattermost's api4/metrics.go and app/metrics.go): the
web, desktop and mobile apps send counters and histograms of what they measured (page load, channel switch,
paint timings, desktop CPU and memory, the mobile app's network requests …); each known metric is recorded
in Prometheus under Mattermost's name (``mattermost_webapp_*``, ``mattermost_mobileapp_*``,
``mattermost_desktopapp_*``, ``mattermost_plugin_webapp_perf``) with Mattermost's labels and buckets, for
the ``/metrics`` listener to serve. Unknown metrics are ignored, as Mattermost does.

Recorded only while ``MetricsSettings.Enable`` and ``MetricsSettings.EnableClientMetrics``; otherwise the
report is not read at all (an empty 200, as Mattermost without metrics). ``user_id`` is the reporter's id
only for the users listed in ``MetricsSettings.ClientSideUserIds``, else ``<placeholder>``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import msgspec
from prometheus_client import CollectorRegistry, Counter, Histogram

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.model.errors import invalid_body_param

WHERE = "submitPerformanceReport"
#: the report format this server reads (Mattermost's performanceReportVersion): same major, minor ≤ this
REPORT_VERSION = (0, 1)
#: a report whose end is older than this is refused (Mattermost's performanceReportTTLMilliseconds)
REPORT_TTL_MS = 300 * 1000
#: metrics a report may hold at most (the web app sends a few dozen; the body limit bounds it anyway)
MAX_SAMPLES = 10_000

_PLATFORMS = frozenset({"linux", "macos", "ios", "android", "windows", "other"})
_AGENTS = frozenset({"desktop", "firefox", "chrome", "safari", "edge", "other"})
_INTERACTIONS = frozenset({"keyboard", "pointer", "other"})
_LCP_REGIONS = frozenset({"post", "post_textbox", "channel_sidebar", "team_sidebar", "channel_header",
                          "global_header", "announcement_bar", "center_channel", "modal_content", "other"})
_TRUE_FALSE = frozenset({"true", "false"})
_SPLASH_ORIGINS = frozenset({"root", "team_controller"})
_REQUEST_GROUPS = frozenset({
    "Cold Start", "Cold Start Deferred", "DeepLink", "DeepLink Deferred", "Login", "Login Deferred",
    "Notification", "Notification Deferred", "Server Switch", "Server Switch Deferred", "WebSocket Reconnect",
    "WebSocket Reconnect Deferred"})
#: free-text labels (process name, plugin id, desktop app version) are cut to this many characters
_MAX_FREE_LABEL = 64
#: Masterminds/semver's loose form: an optional "v", then major[.minor[.patch]], a pre-release and build
_SEMVER = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


class MetricSample(msgspec.Struct, kw_only=True):
    metric: str = ""
    value: float = 0.0
    labels: dict[str, str] | None = None


class PerformanceReport(msgspec.Struct, kw_only=True):
    version: str = ""
    client_id: str = ""
    labels: dict[str, str] | None = None
    start: float = 0.0
    end: float = 0.0
    counters: list[MetricSample] | None = None
    histograms: list[MetricSample] | None = None


def _label(labels: dict[str, str] | None, name: str, accepted: frozenset[str], default: str) -> str:
    """Mattermost's processLabel: the label lower-cased when it is one of ``accepted``, else ``default``
    (the network request groups are capitalized, so those only match as sent)."""
    if not labels or name not in labels:
        return default
    value = labels[name].lower()
    return value if value in accepted else default


def parse_report(body: bytes, now_ms: int) -> PerformanceReport:
    """The report, or 400 ``api.context.invalid_body_param.app_error`` as Mattermost's IsValid."""
    try:
        report = msgspec.json.decode(body or b"null", type=PerformanceReport | None)
    except (msgspec.DecodeError, msgspec.ValidationError) as e:
        raise invalid_body_param(WHERE, WHERE, str(e)) from None
    if report is None:
        raise invalid_body_param(WHERE, WHERE, "could not parse semver version: ")
    m = _SEMVER.match(report.version)
    if m is None:
        raise invalid_body_param(WHERE, WHERE, f"could not parse semver version: {report.version}")
    major, minor = int(m.group(1)), int(m.group(2) or 0)
    if major != REPORT_VERSION[0] or minor > REPORT_VERSION[1]:
        raise invalid_body_param(WHERE, WHERE, "report version is not supported: server version: "
                                 f"{REPORT_VERSION[0]}.{REPORT_VERSION[1]}.0, report version: {report.version}")
    if report.start > report.end:
        raise invalid_body_param(WHERE, WHERE, f"report timestamps are erroneous: start_timestamp {report.start} "
                                 f"is greater than end_timestamp {report.end}")
    if report.end < now_ms - REPORT_TTL_MS:
        raise invalid_body_param(WHERE, WHERE, f"report is outdated: end_time {report.end} is past "
                                 f"{REPORT_TTL_MS} ms from now")
    samples = [*(report.counters or ()), *(report.histograms or ())]
    if len(samples) > MAX_SAMPLES:
        raise invalid_body_param(WHERE, WHERE, f"more than {MAX_SAMPLES} metrics in one report")
    if any(not math.isfinite(s.value) for s in samples):
        raise invalid_body_param(WHERE, WHERE, "a metric's value is not a finite number")
    if any(c.value < 0 for c in report.counters or ()):
        raise invalid_body_param(WHERE, WHERE, "counter cannot decrease in value")
    return report


_SECONDS = 1000.0  # the apps report milliseconds; Mattermost's histograms are in seconds
_WEB = ("platform", "agent", "user_id")
_MOBILE_NET = ("platform", "agent", "network_request_group")
_DESKTOP = ("platform", "version", "processName")
_FAST = (.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15, 20)
_SLOW = (.1, .25, .5, 1, 2.5, 5, 7.5, 10, 12.5, 15)
_LATENCY = (0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_REQUESTS = (1, 2, 5, 10, 20, 50, 100)
_BYTES = (1000, 10000, 50000, 100000, 500000, 1000000, 5000000)
_DEFAULT = Histogram.DEFAULT_BUCKETS


@dataclass(frozen=True)
class _Hist:
    """One of Mattermost's client histograms: what labels it has, how the value scales, which report label
    fills its metric-specific label."""

    subsystem: str
    name: str
    help: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...] = _DEFAULT
    divide: float = 1.0
    #: (label name, accepted values, default): a label taken from the sample's own labels
    extra: tuple[str, frozenset[str], str] | None = None


def _web(name: str, help: str, buckets: tuple[float, ...] = _DEFAULT, divide: float = _SECONDS,
         extra: tuple[str, frozenset[str], str] | None = None) -> _Hist:
    labels = ("platform", "agent", extra[0], "user_id") if extra else _WEB
    return _Hist("webapp", name, help, labels, buckets, divide, extra)


def _net(name: str, help: str, buckets: tuple[float, ...]) -> _Hist:
    return _Hist("mobileapp", name, help, _MOBILE_NET, buckets, 1.0)


#: report metric → histogram (Mattermost's RegisterPerformanceReport and its metric definitions)
HISTOGRAMS: dict[str, _Hist] = {
    "TTFB": _web("time_to_first_byte", "Duration from when a browser starts to request a page from a server until "
                 "when it starts to receive data in response (seconds)"),
    "TTLB": _web("time_to_last_byte", "Duration from when a browser starts to request a page from a server until "
                 "when it receives the last byte of the resource (seconds)"),
    "dom_interactive": _web("dom_interactive", "Duration from when a browser starts to request a page until when "
                            "it sets the document's readyState to interactive (seconds)", _SLOW),
    "splash_screen": _web("splash_screen", "Duration from when a browser starts to request a page until when the "
                          "splash screen ends (seconds)", _SLOW, extra=("page_type", _SPLASH_ORIGINS, "team_controller")),
    "FCP": _web("first_contentful_paint", "Duration of how long it takes for any content to be displayed on screen "
                "to a user (seconds)", _FAST),
    "LCP": _web("largest_contentful_paint", "Duration of how long it takes for large content to be displayed on "
                "screen to a user (seconds)", _FAST, extra=("region", _LCP_REGIONS, "other")),
    "INP": _web("interaction_to_next_paint", "Measure of how long it takes for a user to see the effects of "
                "clicking, tapping or pressing a key (seconds)", extra=("interaction", _INTERACTIONS, "other")),
    "CLS": _web("cumulative_layout_shift", "Measure of how much a page's content shifts unexpectedly", divide=1.0),
    "page_load": _web("page_load", "The amount of time from when the browser starts loading the web app until when "
                      "the web app's load event has finished (seconds)",
                      (.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20, 40)),
    "channel_switch": _web("channel_switch", "Duration of the time taken from when a user clicks on a channel in the "
                           "LHS to when posts in that channel become visible (seconds)",
                           extra=("fresh", _TRUE_FALSE, "")),
    "team_switch": _web("team_switch", "Duration of the time taken from when a user clicks on a team in the LHS to "
                        "when posts in that team become visible (seconds)", extra=("fresh", _TRUE_FALSE, "")),
    "rhs_load": _web("rhs_load", "Duration of the time taken from when a user clicks to open a thread in the RHS "
                     "until when posts in that thread become visible (seconds)"),
    "global_threads_load": _web("global_threads_load", "Duration of the time taken from when a user clicks to open "
                                "Threads in the LHS until when the global threads view becomes visible"),
    "mobile_load": _Hist("mobileapp", "mobile_load", "Duration of the time taken from when a user opens the app and "
                         "the app finally loads all relevant information (seconds)", ("platform",),
                         (1, 1.5, 2, 3, 4, 4.5, 5, 5.5, 6, 7.5, 10, 20, 25, 30), _SECONDS),
    "mobile_channel_switch": _Hist("mobileapp", "mobile_channel_switch", "Duration of the time taken from when a "
                                   "user clicks on a channel name until the channel screen is loaded (seconds)",
                                   ("platform",),
                                   (0.150, 0.200, 0.300, 0.400, 0.450, 0.500, 0.550, 0.600, 0.750, 1, 2, 3), _SECONDS),
    "mobile_team_switch": _Hist("mobileapp", "mobile_team_switch", "Duration of the time taken from when a user "
                                "clicks on a team until the categories screen is loaded (seconds)", ("platform",),
                                (0.150, 0.200, 0.250, 0.300, 0.350, 0.400, 0.500, 0.750, 1, 2, 3), _SECONDS),
    "mobile_network_requests_average_speed": _net("mobile_network_requests_average_speed",
                                                  "Average speed of network requests", _BYTES),
    "mobile_network_requests_effective_latency": _net("mobile_network_requests_effective_latency",
                                                      "Effective latency of network requests in seconds", _LATENCY),
    "mobile_network_requests_elapsed_time": _net("mobile_network_requests_elapsed_time",
                                                 "Total elapsed time of network requests in seconds", _LATENCY),
    "mobile_network_requests_latency": _net("mobile_network_requests_latency",
                                            "Latency of network requests in seconds", _LATENCY),
    "mobile_network_requests_total_compressed_size": _net("mobile_network_requests_total_compressed_size",
                                                          "Total compressed size of network requests in bytes",
                                                          (0.1, 0.5, 1, 2, 5, 10, 20, 50)),
    "mobile_network_requests_total_parallel_requests": _net("mobile_network_requests_total_parallel_requests",
                                                            "Total number of parallel network requests made", _REQUESTS),
    "mobile_network_requests_total_requests": _net("mobile_network_requests_total_requests",
                                                   "Total number of network requests made", _REQUESTS),
    "mobile_network_requests_total_sequential_requests": _net("mobile_network_requests_total_sequential_requests",
                                                              "Total number of sequential network requests made",
                                                              _REQUESTS),
    "mobile_network_requests_total_size": _net("mobile_network_requests_total_size",
                                               "Total uncompressed size of network requests in bytes", _BYTES),
    "desktop_cpu": _Hist("desktopapp", "cpu_usage", "Average CPU usage of a specific process over an interval",
                         _DESKTOP, (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 80, 100)),
    "desktop_memory": _Hist("desktopapp", "memory_usage", "Memory usage in MB of a specific process", _DESKTOP,
                            (0, 50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 3000, 5000), _SECONDS),
    "plugin_webapp_perf": _Hist("plugin", "webapp_perf", "Plugin webapp performance measurements",
                                ("platform", "agent", "plugin_id", "plugin_metric_label")),
}


class ClientPerfService:
    """Validates the apps' performance reports and records them in ``registry`` (which the ``/metrics``
    listener's registry includes)."""

    def __init__(self, core: AppCore) -> None:
        self.core = core
        self.registry = CollectorRegistry(auto_describe=False)
        self.long_tasks = Counter("mattermost_webapp_long_tasks", "Counter of the number of times that the "
                                  "browser's main UI thread is blocked for more than 50ms by a single task",
                                  list(_WEB), registry=self.registry)
        self.histograms = {
            metric: Histogram(f"mattermost_{h.subsystem}_{h.name}", h.help, list(h.labels),
                              buckets=h.buckets, registry=self.registry)
            for metric, h in HISTOGRAMS.items()
        }
        #: reports recorded by this process
        self.recorded = 0

    def enabled(self) -> bool:
        m = self.core.cfg.MetricsSettings
        return m.Enable and m.EnableClientMetrics

    def submit(self, ctx: Ctx, body: bytes) -> bool:
        """Record a report; False when client metrics are off (nothing is read). A bad report is a 400."""
        if not self.enabled():
            return False
        report = parse_report(body, self.core.now())
        self.record(ctx, report)
        return True

    def record(self, ctx: Ctx, report: PerformanceReport) -> None:
        labels = report.labels or {}
        common = {
            "platform": _label(labels, "platform", _PLATFORMS, "other"),
            "agent": _label(labels, "agent", _AGENTS, "other"),
            "version": labels.get("desktop_app_version", "")[:_MAX_FREE_LABEL],
            "user_id": ctx.user_id if ctx.user_id in self.core.cfg.MetricsSettings.ClientSideUserIds
            else "<placeholder>",
        }
        for c in report.counters or ():
            if c.metric == "long_tasks":
                self.long_tasks.labels(common["platform"], common["agent"], common["user_id"]).inc(c.value)
        for s in report.histograms or ():
            h = HISTOGRAMS.get(s.metric)
            if h is None:
                continue
            own = s.labels or {}
            values: dict[str, str] = {}
            for name in h.labels:
                if h.extra is not None and name == h.extra[0]:
                    values[name] = _label(own, name, h.extra[1], h.extra[2])
                elif name == "network_request_group":
                    # Mattermost takes it as sent; only its known groups here, so a client cannot add series
                    group = own.get(name, "")
                    values[name] = group if group in _REQUEST_GROUPS else "Login"
                elif name == "processName":
                    values[name] = own.get("process", "")[:_MAX_FREE_LABEL]
                elif name in ("plugin_id", "plugin_metric_label"):
                    values[name] = own.get(name, "")[:_MAX_FREE_LABEL]
                else:
                    values[name] = common[name]
            self.histograms[s.metric].labels(**values).observe(s.value / h.divide)
        self.recorded += 1
