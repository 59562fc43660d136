"""Call-center server: ACD and IVR engine sitting on Asterisk through AMI and FastAGI."""

__version__ = "0.1.0"
