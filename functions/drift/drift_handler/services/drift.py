"""One drift run: read the captured window, compare each model version with its baseline."""

from datetime import datetime, timedelta

from drift_handler.adapters.capture_store import CaptureStore
from drift_handler.adapters.report_store import PastRun, ReportStore
from drift_handler.adapters.watermark import Watermark, WatermarkStore
from drift_handler.frames import VersionTraffic, group_by_version
from drift_handler.html_report import ReportContext, render_html
from drift_handler.models import DriftRunResult, VersionDriftResult
from drift_handler.telemetry import MonitoringTelemetry
from sklambda.drift import evaluate_drift
from sklambda.errors import SklambdaError
from sklambda.monitoring.baseline_store import load_baseline
from sklambda.observability import logger
from sklambda.registry.store import ModelRegistry

SETTLE_TIME = timedelta(seconds=1)


class StaleWindowError(SklambdaError, ValueError):
    """The requested window ends before any capture the function would still read."""


class DriftService:
    def __init__(
        self,
        registry: ModelRegistry,
        captures: CaptureStore,
        watermarks: WatermarkStore,
        reports: ReportStore,
        telemetry: MonitoringTelemetry,
        *,
        max_window: timedelta,
        min_samples: int,
        psi_threshold: float,
        p_value_threshold: float,
    ) -> None:
        self._max_window = max_window
        self._min_samples = min_samples
        self._psi_threshold = psi_threshold
        self._p_value_threshold = p_value_threshold
        self._registry = registry
        self._captures = captures
        self._watermarks = watermarks
        self._reports = reports
        self._telemetry = telemetry

    def _refuse_stale(self, requested_end: datetime | None, now: datetime) -> None:
        """A window ending before the longest window reaches back would read nothing and
        still report success; a sample event's 1970 time is the usual cause."""
        oldest = now - self._max_window
        if requested_end is None or requested_end >= oldest:
            return
        age = now - requested_end
        shown = f"{age.days} days" if age.days >= 2 else f"{age.total_seconds() / 3600:.0f} hours"
        raise StaleWindowError(
            f"the event's time {requested_end:%Y-%m-%dT%H:%M:%SZ} ends a window {shown} before "
            f"now; DriftFunction evaluates windows ending within the last "
            f"{self._max_window.total_seconds() / 3600:g} hours (DriftMaxWindowHours). Send the "
            "current time, or no time to evaluate up to now"
        )

    def run(self, requested_end: datetime | None, now: datetime) -> DriftRunResult:
        """Evaluate captures written since the watermark (at most the longest window).

        S3 reports write times in whole seconds, so the window ends on a whole second that
        has fully passed: an object still being written belongs to the next window.

        The watermark moves only when every version in the window had enough rows, so a
        quiet period accumulates rows over runs instead of never reaching the minimum.
        """
        settled = now - SETTLE_TIME
        self._refuse_stale(requested_end, now)
        window_end = min(requested_end or settled, settled).replace(microsecond=0)
        run_id = f"{window_end:%Y%m%dT%H%M%SZ}"
        longest = window_end - self._max_window
        previous = self._watermarks.read()
        window_start = max(previous.evaluated_until, longest) if previous else longest
        objects = self._captures.objects_written(window_start, window_end)
        traffic = group_by_version(self._captures.records(objects))
        results = [
            self._evaluate(run_id, versioned, (window_start, window_end))
            for versioned in sorted(traffic.values(), key=lambda item: item.version)
        ]
        if not results:
            self._telemetry.insufficient_data(None, 0)
        sufficient = bool(results) and not any(result.insufficient_data for result in results)
        if sufficient:
            self._watermarks.write(Watermark(evaluated_until=window_end, run_id=run_id))
        logger.info(
            "drift run finished",
            extra={
                "run_id": run_id,
                "objects": len(objects),
                "versions": len(results),
                "watermark_advanced": sufficient,
            },
        )
        return DriftRunResult(
            run_id=run_id,
            window_start=window_start,
            window_end=window_end,
            captured_objects=len(objects),
            watermark_advanced=sufficient,
            versions=results,
        )

    def _evaluate(
        self, run_id: str, traffic: VersionTraffic, window: tuple[datetime, datetime]
    ) -> VersionDriftResult:
        manifest = self._registry.manifest(traffic.version)
        baseline = load_baseline(self._registry, manifest)
        report = evaluate_drift(
            baseline,
            traffic.matrix(manifest.feature_schema),
            traffic.predictions,
            min_samples=self._min_samples,
            psi_threshold=self._psi_threshold,
            p_value_threshold=self._p_value_threshold,
        )
        self._telemetry.drift(traffic.version, report)
        folder = f"drift/{traffic.version}"
        past = self._reports.past_runs(traffic.version, before=run_id)
        json_uri = self._reports.put(
            f"{folder}/{run_id}.json", report.model_dump_json(indent=2), "application/json"
        )
        trend = [*past, PastRun(run_id, report.max_psi, report.drifted_fraction)]
        self._reports.record_trend(traffic.version, trend)
        context = ReportContext(
            model_name=manifest.model_name,
            model_version=traffic.version,
            window=window,
            baseline_rows=manifest.training_data.rows,
            baseline_created_at=manifest.created_at,
            json_href=f"{run_id}.json",
            previous_href=f"{past[-1].run_id}.html" if past else None,
            manifest_uri=self._registry.manifest_uri(traffic.version),
            trend=trend,
        )
        html_uri = self._reports.put(
            f"{folder}/{run_id}.html", render_html(report, context), "text/html; charset=utf-8"
        )
        return VersionDriftResult(
            model_version=traffic.version,
            sample_size=report.sample_size,
            insufficient_data=report.insufficient_data,
            max_psi=report.max_psi,
            drifted_features=[feature.name for feature in report.features if feature.drifted],
            prediction_psi=report.prediction.psi,
            json_report=json_uri,
            html_report=html_uri,
        )
