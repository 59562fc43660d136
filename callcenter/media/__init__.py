"""The media plane: live audio legs (AudioSocket towards Asterisk, WebRTC towards browsers), pacing,
voice activity detection and streaming speech for the IVR. The contract is :mod:`callcenter.media.leg`."""
