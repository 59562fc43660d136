"""Call orchestration: the CallManager wires FastAGI -> IVR -> ACD -> call control -> store/events."""
