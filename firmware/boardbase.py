"""The board contract: what app.run() and the host protocol may rely on in a board object, with the defaults a
board without that part gets. Every board (boards/*/board.py, through esp32board.Esp32Board for the real ones)
builds on Board, so the firmware calls these without asking first whether they are there.

A board provides:
  name         str, as `totpfob info` shows it
  display      a FrameBuffer-like display: width, height, fill, fill_rect, text, show; fg and bg (the colours
               the token draws in), poweroff(), poweron() and settle() (see drivers/)
  rtc          a clock chip driver: datetime(), set_datetime(), time_lost(), FIRST_TICK_S (see drivers/)
  port         the USB line: read() -> bytes (b"" when nothing came), write(bytes)
and these, which have defaults here.
"""

import time

import ui


class Board:
    name = "board"
    # Idle seconds before the display goes dark, and before the board sleeps; 0 = never.
    display_off_s = 0
    sleep_s = 0

    def __init__(self, display, rtc, port):
        self.display = display
        self.rtc = rtc
        self.port = port

    def screen(self, display):
        """What draws the token's screens on the display (a board may wrap it: the virtual token reports them)."""
        return ui.Screen(display)

    def button(self):
        """None | "A" | "B" | "A long" | "B long": the key event since the last call."""
        return None

    def pressed(self, name):
        """True while the key called `name` is down now (how long a hold lasts is measured with it)."""
        return False

    def idle(self, ms):
        """Wait up to ms, returning early when a byte from USB or a key press may be waiting."""
        time.sleep_ms(ms)

    def battery(self):
        """Charge in percent, or None where the board cannot measure it."""
        return None

    def sleep(self):
        """Sleep until a key wakes the board, which then boots main.py again; called only when sleep_s > 0."""

    def restart(self):
        """Start afresh, as after the reset key (main.py does this after a crash)."""
        import machine

        machine.reset()

    def open_repl(self):
        """Maintenance was allowed: open the REPL on the USB line. Here: nothing, main.py ends and it opens (a
        board must close it again after a minute without host traffic: see esp32board)."""
