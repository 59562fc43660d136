import { addMessages } from "../../core/i18n.js";

addMessages("en", {
  "wb.waiting": "Waiting", "wb.longest": "Longest wait", "wb.sl": "Service level", "wb.asa": "ASA", "wb.aht": "AHT",
  "wb.abandon": "Abandoned", "wb.offered": "Offered", "wb.answered": "Answered", "wb.target": "target {p}% in {s}s",
  "wb.queues": "Queues", "wb.agents": "Agents", "wb.calls": "Waiting calls", "wb.no_calls": "Nobody is waiting.",
  "wb.alerts": "Alerts", "wb.full": "Full screen", "wb.exit_full": "Exit full screen",
  "wb.move": "Move", "wb.priority": "Priority", "wb.hangup": "Hang up", "wb.move_to": "Move to queue",
  "wb.listen": "Listen", "wb.whisper": "Whisper", "wb.barge": "Barge", "wb.force_pause": "Force pause",
  "wb.force_logout": "Force logout", "wb.my_phone": "Your phone (rings for listen / whisper / barge)",
  "wb.spy_ringing": "Your phone {phone} is ringing", "wb.confirm_hangup": "Hang up call {id}?",
  "wb.chart_calls": "Calls today (per 15 min)", "wb.chart_sl": "Service level today (%)",
  "wb.chart_waiting": "Waiting now (since this page opened)", "wb.updated": "updated {t}",
  "wb.alert_waiting": "{q}: {n} calls waiting (alert above {x})",
  "wb.alert_longest": "{q}: a caller has waited {t} (alert above {x})",
  "wb.alert_abandon": "{q}: abandon rate {p}% (alert above {x}%)",
  "wb.alert_sl": "{q}: service level {p}% below its target {x}%",
  "wb.no_alerts": "No threshold breached.", "wb.pos": "#", "wb.caller": "Caller", "wb.queue": "Queue",
  "wb.wait": "Wait", "wb.actions": "Actions", "wb.state_time": "in state",
});

addMessages("zh", {
  "wb.waiting": "排队", "wb.longest": "最长等待", "wb.sl": "服务水平", "wb.asa": "平均应答", "wb.aht": "平均处理",
  "wb.abandon": "放弃", "wb.offered": "呼入", "wb.answered": "接听", "wb.target": "目标 {s} 秒内 {p}%",
  "wb.queues": "队列", "wb.agents": "座席", "wb.calls": "排队来电", "wb.no_calls": "当前无人排队。",
  "wb.alerts": "告警", "wb.full": "全屏", "wb.exit_full": "退出全屏",
  "wb.move": "转移", "wb.priority": "优先级", "wb.hangup": "挂断", "wb.move_to": "转移到队列",
  "wb.listen": "监听", "wb.whisper": "耳语", "wb.barge": "强插", "wb.force_pause": "强制小休",
  "wb.force_logout": "强制签出", "wb.my_phone": "您的话机（监听/耳语/强插时振铃）",
  "wb.spy_ringing": "您的话机 {phone} 正在振铃", "wb.confirm_hangup": "挂断来电 {id}？",
  "wb.chart_calls": "今日来电（每 15 分钟）", "wb.chart_sl": "今日服务水平 (%)",
  "wb.chart_waiting": "实时排队（自打开本页起）", "wb.updated": "更新于 {t}",
  "wb.alert_waiting": "{q}：{n} 通来电排队（告警阈值 {x}）",
  "wb.alert_longest": "{q}：来电已等待 {t}（告警阈值 {x}）",
  "wb.alert_abandon": "{q}：放弃率 {p}%（告警阈值 {x}%）",
  "wb.alert_sl": "{q}：服务水平 {p}% 低于目标 {x}%",
  "wb.no_alerts": "无告警。", "wb.pos": "#", "wb.caller": "主叫", "wb.queue": "队列",
  "wb.wait": "等待", "wb.actions": "操作", "wb.state_time": "状态时长",
});
