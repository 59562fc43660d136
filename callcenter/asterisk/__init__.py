"""Asterisk integration: AMI and FastAGI.

* :mod:`.ami_codec` (pure), :mod:`.ami_client` (asyncio client: actions, events, keepalive,
  reconnect + resync), :mod:`.state` (pure channel/bridge tracker and agent phone presence);
* :mod:`.agi_codec` (pure), :mod:`.agi_server` (FastAGI server, routing by ``agi_network_script``),
  :mod:`.agi_channel` (the IVR channel over AGI);
* :mod:`.control` (call control through AMI), :mod:`.service` (the component run by ``callcenter
  serve``), :mod:`.conf` (renders PJSIP endpoints for ``callcenter asterisk config``).
"""
