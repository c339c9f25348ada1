"""totpfob — provision and talk to the offline hardware TOTP token."""

__version__ = "0.2.0"
