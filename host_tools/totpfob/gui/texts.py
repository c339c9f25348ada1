"""Every text the page shows, in English as written here and translated by the same catalog as the command line
(i18n); the page asks for them at load and again when its language is switched."""

from ..i18n import N_, _

PAGE = {
    "title": N_("Hardware token"),
    "language": N_("Language"),
    "tokens": N_("Your tokens"),
    "refresh": N_("Look again"),
    "no_token": N_("No token is plugged in. Plug your token into this computer with its USB cable, then press "
                   "Look again."),
    "token_unreadable": N_("This token cannot be read:"),
    "accounts_room": N_("Accounts on it: %(accounts)s; room for %(free)s more."),
    "battery": N_("Battery:"),
    "storage_damaged": N_("The token's storage is damaged: Delete every account starts it afresh."),
    "token_language": N_("Language of the token's screen:"),
    "never_set": N_("not chosen yet (English)"),
    "done_language": N_("The token's screen speaks the language chosen now."),
    "no_accounts": N_("No accounts on this token yet."),
    "issuer": N_("Service"),
    "label": N_("Account name"),
    "settings": N_("Settings"),
    "settings_value": N_("%(algorithm)s, %(digits)s digits, every %(period)s s"),
    "rename": N_("Rename"),
    "save": N_("Save"),
    "cancel": N_("Cancel"),
    "delete": N_("Delete"),
    "delete_confirm": N_("Delete %(name)s from the token for good? You will then confirm it on the token."),
    "wipe": N_("Delete every account"),
    "wipe_confirm": N_("Delete EVERY account from the token for good? You will then confirm it on the token."),
    "time_sync": N_("Set the clock"),
    "done_rename": N_("The account was renamed."),
    "done_delete": N_("The account was deleted from the token."),
    "done_wipe": N_("The token holds no accounts now."),
    "done_time": N_("The token's clock was set from this computer's."),
    "add": N_("Add an account"),
    "add_help": N_("On the service's pairing page a QR code is shown. Press PrtSc (Print Screen), then Ctrl+V here. "
                   "Or drop the picture here, or choose it."),
    "paste_here": N_("Press Ctrl+V here to paste the screenshot, or drop the picture here"),
    "choose_picture": N_("Choose a picture"),
    "from_screen": N_("Take it from my screen"),
    "other_ways": N_("No picture? Use the link or the key"),
    "uri": N_("The otpauth:// link"),
    "read": N_("Read"),
    "key": N_("The key (16 or more letters and digits, shown under the QR code)"),
    "found": N_("Found:"),
    "which_tokens": N_("Put it on these tokens:"),
    "replace": N_("Replace an account of the same name (pairing it again)"),
    "already_there": N_("This account is already on %(tokens)s. To pair it again (with a new key from the "
                        "service), tick the box below."),
    "add_button": N_("Add"),
    "code_title": N_("Type this code into the pairing page"),
    "code_left": N_("seconds left"),
    "code_next": N_("If the time runs out, type this one instead:"),
    "code_same": N_("The token shows the same code."),
    "deletion_code": N_("Keep the service's deletion code (törlőkód, recovery code) in a safe place: with it the "
                        "account can be revoked if the token is lost."),
    "code_done": N_("Done"),
    "stored_on": N_("Stored on:"),
    "import": N_("Import from a phone app"),
    "import_help": N_("Choose the export file of Google Authenticator, Aegis, 2FAS, andOTP, FreeOTP+, Bitwarden or "
                      "Proton Authenticator, or the pictures of Google Authenticator's export QR codes."),
    "choose_files": N_("Choose the files"),
    "password": N_("Password of the export (if it has one)"),
    "import_read": N_("Show what it holds"),
    "import_replace": N_("Replace the accounts already on the token (pairing them again)"),
    "import_write": N_("Write the ticked accounts"),
    "action": N_("What happens"),
    "action_add": N_("will be added"),
    "action_replace": N_("will replace the one on the token"),
    "action_exists": N_("already on the token"),
    "action_skip": N_("cannot be added"),
    "import_done": N_("The accounts were written: %(written)s."),
    "working": N_("Working…"),
    "stopped": N_("The program behind this page has stopped. Start it again (totpfob gui), then reload this "
                  "page."),
}


def page() -> dict:
    """The page's texts in the language in use."""
    return {name: _(text) for name, text in PAGE.items()}
