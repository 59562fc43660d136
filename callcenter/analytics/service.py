"""The analytics adapter: one call's recording -> transcript, risk hits, mood, QA score -> the store and the bus.

* :meth:`AnalyticsService.analyze_call` runs the whole pipeline for one call: the blocking part
  (reading the stereo file, both recognizers) in a worker thread (the job queue's low-priority pool when it
  runs as a job), the rest on the event loop. Results go to ``call_analyses``; the call's detail record is
  marked (``calls.data.analytics``: risk hits, score, mood). A call that cannot be analysed (missing,
  corrupt or truncated recording, unknown language, missing model) gets ``status: failed`` and the
  one-line reason on its analysis row, and the error is raised for the job queue to record; a risk-word or
  scorecard file that does not load is an error *inside* an otherwise complete analysis (the transcript
  and the other parts are still there).
* Supervisor alerts: ``RiskWordsDetected`` on the bus (no ``agent_id``: only supervisors and admins get
  it over the WebSocket) with the hits; ``CallAnalyzed`` for every analysed call.
* Transcription with pocketsphinx runs in worker processes of its own (:class:`ProcessTranscriber`,
  ``analytics.transcribe_processes``, at ``analytics.transcribe_nice`` below the server's priority):
  pocketsphinx holds the GIL for a whole decode, so in the server's threads it stalled the event loop
  (every live call's 20 ms pacing, barge-in, the live IVR's decisions) for as long as a stretch of
  speech took to decode; in its own low-priority processes it neither stalls the loop nor takes the
  CPU from the live IVR's recognition workers (``speech.processes``). vosk releases the GIL and stays
  in the job queue's threads.
* :meth:`register_jobs`: the ``analytics`` job kind on the post-call job queue, enqueued when a
  recording's finalize job succeeds (docs/recordings.md).
* Overrides, search and reports for the CLI and the REST routes.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from ..events import DomainEvent, EventBus
from ..store import analytics as store
from ..store import repo
from .analysis import analyze
from .reports import analytics_report
from .riskwords import SEVERITIES, RiskLists, load_risk_lists
from .scorecard import Scorecard, apply_overrides, load_scorecard
from .transcribe import AnalysisError, SphinxWords, WordRecognizer, transcribe_file, word_recognizer
from .yamlcheck import RulesFileError

log = logging.getLogger("callcenter.analytics")

JOB_KIND = "analytics"


@dataclass
class Rules:
    risk: RiskLists | None
    scorecards: list[Scorecard]
    errors: list[str]


def scorecard_files(path: str | None) -> list[Path]:
    """``analytics.scorecards``: one file, or every ``*.yaml`` / ``*.yml`` in a folder."""
    if not path:
        return []
    p = Path(path)
    return sorted(list(p.glob("*.yaml")) + list(p.glob("*.yml"))) if p.is_dir() else [p]


def load_rules(risk_path: str | None, scorecards_path: str | None) -> Rules:
    """The configured risk-word lists and scorecards; a file that does not load is reported in ``errors``
    (its file:line problems), never raised: the other parts of an analysis go on without it."""
    errors: list[str] = []
    risk = None
    if risk_path:
        try:
            risk = load_risk_lists(risk_path)
        except RulesFileError as exc:
            errors.append(f"risk words not checked: {exc}")
    cards: list[Scorecard] = []
    for f in scorecard_files(scorecards_path):
        try:
            cards.append(load_scorecard(f))
        except RulesFileError as exc:
            errors.append(f"scorecard not used: {exc}")
    return Rules(risk, cards, errors)


async def delete_derived(session, recording) -> None:
    """The retention sweep's deleter (``Retention.register_deleter``): a deleted recording's analysis goes
    with it, in the deletion's transaction."""
    await store.delete_analyses_of_recording(session, recording.id)


class OverrideError(ValueError):
    """A supervisor's override that is refused as given; ``field`` names the part at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class ProcessTranscriber:
    """pocketsphinx transcription of call recordings in ``processes`` worker processes of its own
    (:class:`~callcenter.speech.procpool.RecognitionWorkers` running
    :func:`~callcenter.analytics.transcribe.transcribe_here`), at ``nice``
    steps below the server's priority; started at the first recording, stopped by :meth:`close`. A
    worker that dies mid-recording is restarted and the recording tried once more on another; dying
    twice fails this attempt of the job (retried later by the job queue)."""

    def __init__(self, processes: int = 1, nice: int = 10) -> None:
        from ..speech.procpool import RecognitionWorkers
        self.pool = RecognitionWorkers(processes, warm_streams=0, live=False, name="transcription",
                                       size_key="analytics.transcribe_processes", nice_key="analytics.transcribe_nice",
                                       nice=nice)

    def transcribe(self, path: str, language: str):
        """(transcript, caller audio, agent audio) of a stereo recording; blocking (a job thread)."""
        from ..speech.procpool import WorkerDied
        try:
            return self.pool.call("run", "callcenter.analytics.transcribe:transcribe_here", str(path),
                                  language).result()
        except WorkerDied as exc:
            raise AnalysisError(f"transcription of {path} lost: {exc} (retried once on another worker)") from None

    def close(self) -> None:
        self.pool.close()


class AnalyticsService:
    def __init__(self, db, speech, bus: EventBus | None = None, settings=None,
                 clock: Callable[[], float] = time.time,
                 recognizer: Callable[[str], WordRecognizer] | None = None,
                 transcriber: ProcessTranscriber | None = None) -> None:
        """``settings``: the ``analytics`` configuration section (:class:`callcenter.config.AnalyticsSection`);
        ``speech``: the :class:`SpeechService` whose recognizers transcribe (``recognizer``: language ->
        word recognizer, instead of it); ``transcriber``: where pocketsphinx transcribes (else in the
        calling thread)."""
        from ..config import AnalyticsSection
        self.db = db
        self.speech = speech
        self.recognizer = recognizer or (lambda language: word_recognizer(speech, language))
        self.transcriber = transcriber
        self.bus = bus
        self.settings = settings or AnalyticsSection()
        self.clock = clock

    def close(self) -> None:
        """Stop the transcription worker processes (if any)."""
        if self.transcriber is not None:
            self.transcriber.close()

    # ---------------------------------------------------------------------------------------------
    def rules(self) -> Rules:
        return load_rules(self.settings.risk_words, self.settings.scorecards)

    def language_for(self, queue: str | None, call_language: str | None) -> str:
        return self.settings.languages.get(queue or "") or call_language or self.settings.default_language

    def run_sync(self, path: str, language: str, queue: str | None, rules: Rules,
                 holds: Sequence[tuple[float, float]] | None = None, gaps: Sequence[dict] = ()) -> dict[str, Any]:
        """The blocking part (reading, both recognizers, the pure analysis): for a worker thread. With
        pocketsphinx and a :class:`ProcessTranscriber`, reading and recognizing happen in its process."""
        words = self.recognizer(language)
        if self.transcriber is not None and isinstance(words, SphinxWords):
            transcript, caller, agent = self.transcriber.transcribe(path, language)
        else:
            transcript, caller, agent = transcribe_file(path, language, recognizer=words)
        return analyze(transcript, caller, agent, queue=queue, risk=rules.risk, scorecards=rules.scorecards,
                       holds=holds, errors=rules.errors, gaps=gaps)

    async def analyze_call(self, call_id: str, path: str | None = None, *, recording_id: int | None = None,
                           language: str | None = None, queue: str | None = None, agent: str | None = None,
                           run_cpu: Callable | None = None) -> dict[str, Any]:
        """Analyse ``call_id``'s recording (``path``, else the one linked to the call) and store the result.
        Raises :class:`AnalysisError` (after writing it on the analysis row) when it cannot be done."""
        info = await self._call_info(call_id, path, recording_id)
        queue = queue or info["queue"]
        agent = agent or info["agent"]
        language = language or self.language_for(queue, info["language"])
        base = {"queue": queue, "agent": agent, "language": language, "call_at": info["call_at"],
                "path": info["path"], "recording_id": info["recording_id"]}
        async with self.db.session() as s:
            await store.save_analysis(s, call_id, status="pending", error=None, **base)
        rules = self.rules()
        try:
            if not info["path"]:
                raise AnalysisError(info.get("error") or f"call {call_id} has no recording to analyse")
            args = (info["path"], language, queue, rules, info["holds"], info["gaps"])
            if run_cpu is not None:
                result = await run_cpu(self.run_sync, *args)
            else:
                result = await asyncio.get_running_loop().run_in_executor(None, self.run_sync, *args)
        except AnalysisError as exc:
            await self._failed(call_id, str(exc), base)
            raise
        except Exception as exc:  # noqa: BLE001 - any recognizer crash is this call's error, not the worker's
            msg = f"analysis failed: {type(exc).__name__}: {exc}"
            await self._failed(call_id, msg, base)
            raise AnalysisError(msg) from exc
        return await self._store(call_id, result, base)

    async def _call_info(self, call_id: str, path: str | None, recording_id: int | None) -> dict[str, Any]:
        info: dict[str, Any] = {"queue": None, "agent": None, "language": None, "call_at": None, "path": path,
                                "recording_id": recording_id, "holds": None, "gaps": []}
        async with self.db.session() as s:
            cdr = await repo.get_call(s, call_id)
            rec = await repo.get_recording(s, recording_id) if recording_id is not None else None
            if rec is None and path is None:
                found = await repo.list_recordings(s, call_id=call_id, kind="call", limit=1)
                rec = found[0] if found else None
        if cdr is not None:
            info.update(queue=cdr.queue, agent=cdr.agent, language=cdr.language,
                        call_at=cdr.answered_at or cdr.arrived_at)
            holds = (cdr.data or {}).get("holds")
            if isinstance(holds, list):
                info["holds"] = [(float(a), float(b)) for a, b in holds]
        if rec is not None:
            info["recording_id"] = rec.id
            info["path"] = info["path"] or rec.path
            info["queue"] = info["queue"] or rec.queue
            info["agent"] = info["agent"] or rec.agent
            info["call_at"] = info["call_at"] or rec.created_at
            info["gaps"] = [{"offset": p.get("offset"), "duration": p.get("duration")}
                            for p in (getattr(rec, "pauses", None) or []) if isinstance(p, dict)]
            status = getattr(rec, "status", None)
            if status not in (None, "ready") and path is None:
                info["path"] = None
                info["error"] = f"recording {rec.id} is {status}: {getattr(rec, 'error', '') or ''}".strip()
        if info["call_at"] is None:
            info["call_at"] = self.clock()
        return info

    async def _failed(self, call_id: str, error: str, base: dict[str, Any]) -> None:
        log.warning("call analysis failed", extra={"call_id": call_id, "error": error})
        async with self.db.session() as s:
            await store.save_analysis(s, call_id, status="failed", error=error, analyzed_at=self.clock(), **base)
            if await repo.get_call(s, call_id) is not None:
                await repo.save_call(s, call_id, data={"analytics": {"status": "failed", "error": error}})

    async def _store(self, call_id: str, result: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        qa = result.get("qa")
        async with self.db.session() as s:
            row = await store.get_analysis(s, call_id)
            overrides = (row.overrides if row is not None else None) or {}
            score = apply_overrides(qa, overrides)["score"] if qa else None
            text = result.pop("text", "")
            row = await store.save_analysis(
                s, call_id, status="done", error="; ".join(result["errors"]) or None, engine=result["engine"],
                analyzed_at=self.clock(), duration=result["duration"], text=text,
                risk_count=len(result["risk_hits"]), score=score, caller_mood=result["metrics"]["caller_mood"],
                agent_mood=result["metrics"]["agent_mood"], result=result, **base)
            mark = {"status": "done", "risk_hits": len(result["risk_hits"]), "score": score,
                    "mood": result["mood"]["summary"], "errors": result["errors"]}
            if await repo.get_call(s, call_id) is not None:
                await repo.save_call(s, call_id, data={"analytics": mark})
            out = store.analysis_to_dict(row)
        self._publish(call_id, base, result, score)
        return out

    def _publish(self, call_id: str, base: dict[str, Any], result: dict[str, Any], score: float | None) -> None:
        if self.bus is None:
            return
        now = self.clock()
        floor = SEVERITIES.index(self.settings.alert_severity)
        alert = [h for h in result["risk_hits"] if SEVERITIES.index(h["severity"]) >= floor]
        if alert:
            first = alert[0]
            self.bus.publish(DomainEvent("RiskWordsDetected", now, call_id, None, base["queue"], {
                "agent": base["agent"], "hits": alert, "count": len(alert),
                "summary": f"'{first['heard']}' ({first['list']}) said by the {first['side']} at {first['at']}"
                           + (f" and {len(alert) - 1} more" if len(alert) > 1 else "")}))
        self.bus.publish(DomainEvent("CallAnalyzed", now, call_id, base["agent"], base["queue"], {
            "score": score, "risk_hits": len(result["risk_hits"]), "mood": result["mood"]["summary"],
            "errors": result["errors"]}))

    # ---------------------------------------------------------------------------------------------
    async def get(self, call_id: str) -> dict[str, Any] | None:
        """The stored analysis with the scorecard's overrides applied (``result.qa``) and the automatic
        result kept (``result.qa.rules[].auto``)."""
        async with self.db.session() as s:
            row = await store.get_analysis(s, call_id)
            if row is None:
                return None
            out = store.analysis_to_dict(row)
        qa = (out.get("result") or {}).get("qa")
        if qa:
            out["result"] = {**out["result"], "qa": apply_overrides(qa, out["overrides"])}
        return out

    async def override(self, call_id: str, rule_id: str, passed: bool | None, comment: str, by: str) -> dict[str, Any]:
        """A supervisor's override of one rule (``passed`` None removes it; setting one needs a ``comment``,
        else :class:`OverrideError`); the score is worked out again."""
        async with self.db.session() as s:
            row = await store.get_analysis(s, call_id)
            if row is None or row.status != "done":
                raise AnalysisError(f"call {call_id} has no finished analysis")
            qa = (row.result or {}).get("qa")
            if not qa:
                raise AnalysisError(f"call {call_id} was not scored (no scorecard applies)")
            if rule_id not in {r["id"] for r in qa["rules"]}:
                known = ", ".join(r["id"] for r in qa["rules"])
                raise AnalysisError(f"scorecard '{qa['scorecard']}' has no rule '{rule_id}' (rules: {known})")
            if passed is not None and not (comment or "").strip():
                raise OverrideError(f"call {call_id}, rule '{rule_id}': an override needs a comment saying why",
                                    "comment")
            row = await store.set_override(s, call_id, rule_id, passed, comment, by, now=self.clock())
            row.score = apply_overrides(qa, row.overrides or {})["score"]
        return await self.get(call_id)  # type: ignore[return-value]

    async def search(self, query: str | None, limit: int = 50, **filters: Any) -> list[dict[str, Any]]:
        async with self.db.session() as s:
            return await store.search_analyses(s, query, limit=limit, **filters)

    async def report(self, by: str = "agent", **filters: Any) -> list[dict[str, Any]]:
        async with self.db.session() as s:
            rows = store.summary_rows(await store.list_analyses(s, limit=None, **filters))
        return analytics_report(rows, by)

    # ---------------------------------------------------------------------------------------------
    def register_jobs(self, jobs) -> None:
        """The ``analytics`` job on the post-call queue, chained after each recording's finalize job."""
        from .jobs import JobError

        async def handle(job, ctx):
            try:
                row = await self.analyze_call(job.call_id, recording_id=job.recording_id, run_cpu=ctx.run_cpu)
            except AnalysisError as exc:
                raise JobError(str(exc), permanent=True) from None
            return {"score": row["score"], "risk_hits": row["risk_count"], "status": row["status"]}

        async def chain(job, _result):
            if self.settings.enabled and job.call_id:
                await jobs.enqueue(JOB_KIND, call_id=job.call_id, recording_id=job.recording_id,
                                   key=f"{JOB_KIND}:{job.recording_id or job.call_id}")

        jobs.register(JOB_KIND, handle, priority=self.settings.job_priority, max_attempts=self.settings.max_attempts)
        jobs.on_done("recording.finalize", chain)


def register_analytics(jobs, recorder, db, speech, bus, cfg, clock) -> AnalyticsService | None:
    """Server wiring (``callcenter.app``): the analytics job on the post-call queue after each finalize job,
    and the retention sweep's deleter of analyses. ``cfg``: the whole configuration; ``clock``: the App's.
    With ``analytics.enabled: false`` or ``speech.enabled: false`` no job is queued (said once in the log);
    analyses made with ``callcenter qa score`` are still deleted with their recording."""
    retention = getattr(recorder, "retention", None)
    if retention is not None:
        retention.register_deleter(delete_derived)
    if not cfg.analytics.enabled or not cfg.speech.enabled:
        why = "analytics.enabled" if not cfg.analytics.enabled else "speech.enabled"
        log.info(f"conversation analytics of recorded calls is off ({why}: false)")
        return None
    n = cfg.analytics.transcribe_processes
    svc = AnalyticsService(db, speech, bus, cfg.analytics, clock=clock.now,
                           transcriber=ProcessTranscriber(n, cfg.analytics.transcribe_nice) if n else None)
    svc.register_jobs(jobs)
    jobs.on_stop(svc.close)
    return svc
