// The quality page's styles (added when its chunk loads).
import { addStyle } from "../shared/style.js";

addStyle("quality", `
.quality { display: flex; flex-direction: column; gap: var(--gap); }
.quality .tabs { display: flex; gap: 2px; border-bottom: 1px solid var(--line); }
.quality .tabs button { border: 1px solid transparent; border-bottom: none; border-radius: 6px 6px 0 0; background: none; color: var(--muted); }
.quality .tabs button.active { color: var(--ink); background: var(--panel); border-color: var(--line); margin-bottom: -1px; }
.quality .filters label { display: flex; flex-direction: column; gap: 2px; font-size: 12px; color: var(--muted); }
.quality .filters label.words { flex: 1 1 160px; } .quality .filters select { max-width: 140px; }
.quality .filters input[name=queue], .quality .filters input[name=agent] { width: 90px; }
.quality .filters label.check, .quality label.inline { flex-direction: row; align-items: center; gap: 6px; font-size: 13px; color: var(--ink); }
.quality .hint { margin: 0; font-size: 12px; }
.quality tr.link { cursor: pointer; } .quality tr.link:hover td { background: #f3f6fb; }
.quality td.wrap { white-space: normal; }
.quality .snippet mark, .quality mark { background: #ffe38a; color: inherit; border-radius: 3px; padding: 0 2px; }
.quality mark.risk { background: #ffd0d0; outline: 1px solid var(--bad); font-weight: 600; }
.quality .risk-count { color: var(--bad); font-weight: 600; }
.quality .score { font-weight: 700; font-variant-numeric: tabular-nums; } .quality .score.ok { color: var(--ok); } .quality .score.bad { color: var(--bad); }
.quality .verdict.ok { color: var(--ok); font-weight: 600; } .quality .verdict.bad { color: var(--bad); font-weight: 600; }
.quality .mood { font-size: 12px; padding: 1px 6px; border-radius: 8px; background: #eef1f5; }
.quality .mood-upset { background: #fbd5d5; color: #8b1c1c; } .quality .mood-negative { background: #fde8cf; color: #7a4a00; }
.quality .mood-positive { background: #d6f2e0; color: #145c33; }
.quality .call-head h2 { margin: 0; }
.quality .player .row { margin-bottom: 8px; } .quality .small-note { font-size: 12px; }
.quality .timeline { position: relative; height: 38px; background: #f3f5f8; border: 1px solid var(--line); border-radius: 6px; cursor: pointer; }
.quality .lane { position: absolute; left: 0; right: 0; height: 12px; } .quality .lane-caller { top: 5px; } .quality .lane-agent { top: 20px; }
.quality .lane .turn { position: absolute; top: 0; bottom: 0; border-radius: 3px; min-width: 2px; }
.quality .lane-caller .turn { background: #8fb3e8; } .quality .lane-agent .turn { background: #9fd4b2; }
.quality .hit-tick { position: absolute; top: 0; bottom: 0; width: 3px; background: var(--bad); }
.quality .gap-tick { position: absolute; top: -3px; bottom: -3px; width: 6px; margin-left: -3px;
  background: repeating-linear-gradient(45deg, #5e6b7d 0 2px, transparent 2px 4px); }
.quality .playhead { position: absolute; top: -4px; bottom: -4px; width: 2px; background: var(--ink); pointer-events: none; }
.quality .call-body { display: grid; grid-template-columns: 1fr 340px; gap: var(--gap); align-items: start; }
.quality .call-main { display: flex; flex-direction: column; gap: var(--gap); min-width: 0; }
.quality .call-side { display: flex; flex-direction: column; gap: var(--gap); }
.quality .transcript-box { max-height: 46vh; overflow: auto; }
.quality .transcript { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.quality .line { max-width: 78%; padding: 6px 10px; border-radius: 10px; cursor: pointer; border: 1px solid transparent; }
.quality .line.side-caller { align-self: flex-start; background: #eaf1fc; }
.quality .line.side-agent { align-self: flex-end; background: #eaf7ef; }
.quality .line:hover { border-color: var(--accent); }
.quality .line.current { border-color: var(--accent); box-shadow: 0 0 0 2px rgba(31,95,191,.25); }
.quality .line.risky { border-left: 3px solid var(--bad); }
.quality .line .who { font-size: 11px; color: var(--muted); display: flex; gap: 6px; align-items: center; }
.quality .line .unsure { color: var(--muted); }
.quality .mood-dot { font-size: 10px; padding: 0 5px; border-radius: 6px; background: #eef1f5; }
.quality .mood-dot.mood-upset { background: #fbd5d5; } .quality .mood-dot.mood-negative { background: #fde8cf; }
.quality .mood-dot.mood-positive { background: #d6f2e0; }
.quality .gap { align-self: center; font-size: 12px; color: var(--muted); border: 1px dashed var(--muted); border-radius: 8px; padding: 3px 10px; cursor: pointer; }
.quality .hits ul, .quality .evidence { margin: 0; padding-left: 16px; }
.quality .hits li.sev-high { color: var(--bad); }
.quality .mood-side { margin: 4px 0; }
.quality .scorecard td { vertical-align: top; } .quality .scorecard .detail { font-size: 12px; color: var(--muted); white-space: normal; }
.quality .scorecard tr.overridden td { background: #fffbea; }
.quality .score-line { margin-bottom: 8px; }
.override-form { display: flex; flex-direction: column; gap: 6px; min-width: 460px; }
.override-form .field { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted); }
.override-form .field.has-error textarea { border-color: var(--bad); outline: 1px solid var(--bad); }
.override-form .field-error { color: var(--bad); font-size: 12px; }
.override-form label.inline { display: flex; flex-direction: row; gap: 4px; align-items: center; color: var(--ink); font-size: 13px; }
.quality .table-box { overflow: auto; }
.quality table.kv th { width: 40%; } .quality .recording-panel .row { margin-top: 8px; }
.quality ul.log { margin: 0; padding-left: 16px; font-size: 12px; }
.quality .rule-rate { display: inline-block; margin: 1px 4px 1px 0; padding: 0 6px; border-radius: 6px; background: #fde8cf; font-size: 12px; }
.quality .trend { display: inline-flex; align-items: flex-end; gap: 2px; height: 20px; }
.quality .trend i { display: inline-block; width: 5px; } .quality .trend i.pos { background: var(--ok); } .quality .trend i.neg { background: var(--bad); }
`);
