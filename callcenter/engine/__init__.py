"""Call orchestration: FastAGI -> IVR -> ACD -> call control -> store/events.

* :mod:`.manager`: :class:`CallManager`, the ``engine`` component: lifecycle, agent state restored,
  the router's tick, records left open by a previous run, and the public methods the API / CLI /
  FastAGI call, each delegating to one part below.
* :mod:`.provisioning`: queues and agents loaded into the live router at start and reloaded live.
* :mod:`.call`: the life of one call (the coroutine serving its FastAGI session: IVR, recovery after
  a restart, waiting, talking, the end with its CDR).
* :mod:`.ringing`: ringing agents (RONA, busy, unavailable) and callbacks, beside the call's coroutine.
* :mod:`.decisions`: the ACD router's decisions carried out.
* :mod:`.agents`, :mod:`.supervisor`, :mod:`.feature_codes`: agent, supervisor and phone operations.
* :mod:`.views`: agents / calls / queues now, the snapshot, CDRs and report rows.
* :mod:`.core`: shared state, settings, event publishing, tasks; :mod:`.model`: live calls and agents.
* :mod:`.ports`: the collaborators it is handed (call control, phone lines, flows, records);
  :mod:`.records`: the database side of them.
* :mod:`.flow_store`: IVR flow versions stored in the database; :mod:`.reports`: pure reports.
"""
