"""The token's main loop: serial requests, buttons and the clock in; the screen out. It never returns in normal
operation: the REPL stays closed until a person allows maintenance on the token (ask(): a 3 s hold of A).

The board object is a boardbase.Board (see there for what it provides): display, rtc, port, button(), idle(),
battery(), sleep() (a wake boots main.py again, straight to the code), display_off_s and sleep_s (0 = never), and
screen(), what draws on its display.

Buttons: A shows the next account; B, or a long press of either, shows the time and sync status for a few
seconds. After display_off_s without a press or a request the display goes dark (any press lights it again,
without acting); after sleep_s the board sleeps.

The host protocol (service.py) is loaded with the first byte from USB: a token woken by a button shows its
code sooner, and on less heap, without it. A request that destroys or moves something (and maintenance) waits
for the person holding the token: ask() shows the question until A was held for 3 s, or refuses.
"""

import time

import account
import micropython
import otp
import vault as vaultmod
from clock import Clock, from_unix

_ASK_MS = 30000  # a question on the token is refused when nobody answered it in this time
_HOLD_MS = 3000  # the deliberate gesture: A held this long while the question shows; no habit is that long
_STATUS_MS = 6000  # how long B shows the status screen
_BATTERY_MS = 60000  # the battery changes slowly; its ADC is not read every second
_NEXT_S = 7  # the next code joins the screen for the last seconds of a step (at most a quarter of it)


def _ago(words, seconds):
    """A short human age in the screen's language: just now, 40 min ago, 5 h ago, 12 d ago."""
    if seconds < 60:
        return words["now"]
    if seconds < 6000:  # under 100 min: two digits, so that every line fits the narrowest panel
        return words["minutes"] % (seconds // 60)
    if seconds < 172800:
        return words["hours"] % (seconds // 3600)
    return words["days"] % (seconds // 86400)


def _ppm(words, ppb):
    """A drift in ppm as the language writes numbers: +1.5 (or +1,5); whole ppm from 100 on, to fit a line."""
    ppm = ppb / 1000
    text = "%+.1f" % ppm if -99.95 < ppm < 99.95 else "%+d" % round(ppm)
    return text.replace(".", words["point"])


class App:
    def __init__(self, board):
        self.board = board
        self.screen = board.screen(board.display)
        self.vault = vaultmod.Vault(erase=False)  # an erase a power cut interrupted: finished in run()
        self.clock = Clock(board.rtc)
        self.service = None  # the host protocol: see connect()
        self.index = 0
        self.drawn = None  # what is on the screen now, to redraw only on change
        self.record = None  # the record of the account on screen, its code generator and (issuer, label)
        self.generator = None  # type: otp.CodeGenerator | None
        self.names = ("", "")
        self.words = None  # the text screens' words (texts.py), loaded with the first text screen drawn
        self.status_until = None  # ticks_ms until which the status screen stays up
        self.battery = None
        self.battery_at = None
        self.awake_at = time.ticks_ms()  # last press or request: the idle timers count from here
        self.dark = False
        self.display_off_ms = board.display_off_s * 1000
        self.sleep_ms = board.sleep_s * 1000

    def _read_battery(self):
        if self.battery_at is None or time.ticks_diff(time.ticks_ms(), self.battery_at) > _BATTERY_MS:
            self.battery = self.board.battery()
            self.battery_at = time.ticks_ms()

    def draw(self):
        """Bring the screen up to date: the code of the current account, or why there is none."""
        vault = self.vault
        now = self.clock.now()
        self._read_battery()
        if self.status_until is not None:
            if time.ticks_diff(self.status_until, time.ticks_ms()) > 0:
                self._status(now)
                return
            self.status_until = None
            self.drawn = None
        if vault.error:
            key = ("damaged",)  # type: tuple
        elif now is None:
            key = ("clock-lost",)
        elif not len(vault):
            key = ("empty",)
        else:
            key = (self.index % len(vault), now, len(vault))
        if key == self.drawn:
            return
        self.drawn = key
        if len(key) == 1:
            self._message(key[0])
            return
        record = vault.records[key[0]]
        if self.generator is None or self.record is not record:
            # Decode and prepare the HMAC pads once per account shown, not once per second.
            algorithm, digits, period, issuer, label, secret = account.decode(record)
            self.record = record
            self.names = (issuer, label)
            self.generator = otp.CodeGenerator(secret, algorithm, digits, period)
        issuer, label = self.names
        generator = self.generator
        period = generator.period
        code = generator.code(now)
        remaining = period - now % period
        position = "%d/%d" % (key[0] + 1, len(vault)) if len(vault) > 1 else ""
        next_code = generator.code(now + period) if remaining <= min(_NEXT_S, period // 4) else None
        if next_code is not None and self.words is None:
            self._words()  # its one word ("next"), in the token's language: loaded only for these last seconds
        self.screen.code(label, code, remaining, period, position, next_code, self.battery, issuer)

    def _status(self, now):
        """Time, last sync, drift, battery and room: what to check before trusting the codes."""
        key = ("status", now, self.battery)
        if key == self.drawn:
            return
        self.drawn = key
        import texts  # loaded by _words(), with the first text screen (the code screen has no words)

        clock = self.clock
        words = self._words()
        if now is None:
            lines = list(texts.lines(words, "clock-lost"))
        else:
            dt = from_unix(now)
            synced = _ago(words, now - clock.last_sync) if clock.last_sync else words["never"]
            lines = [words["date"] % dt[:3], words["time"] % dt[3:6]]
            lines.extend(texts.lines(words, "synced", synced))
            lines.append(words["drift"] % _ppm(words, clock.drift_ppb))
        if self.battery is not None:
            lines.append(words["battery"] % self.battery)
        lines.append(words["stored"] % (len(self.vault), vaultmod.CAPACITY))
        self.screen.message("status", *lines)

    def _words(self):
        """The text screens' words in the token's language, loaded when the first text screen is drawn (the
        code screen has none) and again after the host set the language."""
        if self.words is None:
            import texts

            self.words = texts.load()
            self.screen.next_word = self.words["next"]
        return self.words

    def _message(self, screen):
        """A screen of words alone: "damaged", "clock-lost" or "empty"."""
        import texts

        self.screen.message(screen, *texts.lines(self._words(), screen))

    def ask(self, service):
        """Show the waiting request's question with a countdown and answer the host with what the person did:
        allowed only by holding A for _HOLD_MS while it shows. A short press of any key, letting A go early, or
        no answer within _ASK_MS refuses. A press already going on when the question came does not count."""
        import texts
        import wire  # loaded with the service already

        board = self.board
        kind, _, _, question = service.asking
        screen = "maintenance" if kind == wire.MAINTENANCE else "confirm"
        words = self._words()
        question = texts.lines(words, *question)  # the service names the question and what it is about
        hold = words["hold"] % (_HOLD_MS // 1000)
        start = time.ticks_ms()
        armed = not board.pressed("A")
        holding = False  # A went down while the question showed, since `since`
        since = start
        ups = 0  # looks in a row that found A up during a hold: one may be a bounce
        shown = -1
        allowed = False
        while True:
            now = time.ticks_ms()
            left = _ASK_MS - time.ticks_diff(now, start)
            if left <= 0:
                break
            left = (left + 999) // 1000
            if left != shown:
                shown = left
                self.screen.message(screen, *question, hold, words["left"] % left)
                service.waiting(left)  # the host waits on, and does not send the request again
            event = board.button()
            was_armed = armed
            if board.pressed("A"):
                ups = 0
                if armed and not holding:
                    holding = True
                    since = now
                elif holding and time.ticks_diff(now, since) >= _HOLD_MS:
                    allowed = True
                    break
            elif holding:
                ups += 1
                if ups > 1:
                    break  # let go too soon
            else:
                armed = True
            if event is not None and (event != "A long" or was_armed and not holding):
                break  # a short press; "A long" comes during any hold, and counts only as that hold
            service.refuse(board.port.read())  # another request now is answered "send it again"
            board.idle(50)
        if allowed and kind in (wire.DELETE, wire.WIPE, wire.ADD):  # (an ADD that asks replaces) an erase follows
            self.screen.message("erasing", *texts.lines(words, "erasing"))  # seconds: see scrub.py
        service.answer(allowed)
        self.drawn = None
        self.wake()

    def connect(self):
        """The host protocol, loaded when the first byte arrives from USB (not at boot: see the module doc)."""
        from service import Service

        self.service = Service(self.board, self.vault, self.clock)
        return self.service

    def run(self):
        board = self.board
        if self.vault.erase_due:  # seconds of erasing: the host hears "busy", not silence (service.finish_erase)
            import texts

            self.screen.message("erasing", *texts.lines(self._words(), "erasing"))
            self.connect().finish_erase()
        while True:
            data = board.port.read()
            service = self.service
            if data and service is None:
                service = self.connect()
            if service is not None:
                if service.serve(data):
                    self.wake()  # a request counts as use: the idle timers restart, a dark display lights
                if service.asking is not None:
                    self.ask(service)
                    if service.open_repl:
                        return
                if service.changed:
                    service.changed = False
                    self.drawn = None
                    self.words = None  # the host may have set the language
            self.press(board.button())
            self.rest()
            if not self.dark:
                self.draw()
            if not data:
                board.idle(100)

    def press(self, button):
        """Act on a button event; the press that lights a dark display does only that."""
        if button is None:
            return
        if self.wake():
            return
        if button == "A":
            self.index += 1
            self.status_until = None
        else:  # B, or a long press: the status screen
            self.status_until = time.ticks_add(time.ticks_ms(), _STATUS_MS)
        self.drawn = None

    def wake(self):
        """Restart the idle timers; light the display if it was dark (then True)."""
        self.awake_at = time.ticks_ms()
        if not self.dark:
            return False
        self.dark = False
        self.screen.on()
        self.drawn = None
        return True

    def rest(self):
        """Darken the display, then sleep, once nothing happened for long enough."""
        idle = time.ticks_diff(time.ticks_ms(), self.awake_at)
        if self.sleep_ms and idle > self.sleep_ms:
            self.screen.off("sleep")
            self.board.sleep()
        if not self.dark and self.display_off_ms and idle > self.display_off_ms:
            self.dark = True
            self.status_until = None
            self.screen.off("off")


def run(board):
    """Run the token until maintenance is allowed; Ctrl-C and other bytes on the line are only noise."""
    micropython.kbd_intr(-1)
    try:
        App(board).run()
    finally:
        micropython.kbd_intr(3)
