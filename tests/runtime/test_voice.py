"""Voice guidance over a real visit (runtime, session flow, canned library): silent until an
earphone is plugged in (then the screen at once, and every screen after), or always on the
speaker when set; the controls; volume and speed back to normal for the next patron; the
receipt read after goodbye; never a digit typed into a secret or private field."""

from __future__ import annotations

from kiosk.core.events import CardRead, Pressed, TimerFired
from kiosk.core.model import Language
from kiosk.devices.sounds import RecordingSounds
from kiosk.devices.speech import RecordingSpeech, Said
from kiosk.runtime.voice import RATE_STEPS, VOLUME_STEPS, VoiceGuide
from simulators.audio import EarphoneJack
from tests.devices.test_sounds import CARD, Visit


def texts(speech: RecordingSpeech) -> list[str]:
    return [s.text for s in speech.utterances]


def guided(**kw) -> tuple[VoiceGuide, RecordingSpeech, RecordingSounds, EarphoneJack]:
    speech, sounds, jack = RecordingSpeech(), RecordingSounds(), EarphoneJack()
    guide = VoiceGuide(speech, sounds, **kw)
    guide.attach(jack)
    return guide, speech, sounds, jack


def test_silent_without_an_earphone_then_the_screen_at_once_when_one_is_plugged_in():
    guide, speech, sounds, jack = guided()
    visit = Visit(guide)
    try:
        assert speech.utterances == [] and not guide.on
        jack.plug()
        (said,) = texts(speech)
        assert said.startswith("음성 안내를 시작합니다. 책이음 무인 대출기. 회원증을 카드 리더에 대 주세요.")
        visit.borrow_refuse_wait_call_staff()
        said = texts(speech)
        assert any(s.startswith("대출하기.") for s in said)
        assert "채식주의자: 반납 예정일 2026년 12월 13일." in said
        assert any(s.startswith("토지: ") for s in said)
        assert any(s.startswith("120초 남았습니다") or "초 남았습니다. 시간이 더 필요하면" in s for s in said)
        assert said[-1] == "직원을 호출했습니다. 잠시만 기다려 주세요."
        assert all(s.language is Language.KO for s in speech.utterances)
        jack.unplug()
        assert speech.said[-1] == "stop" and not guide.on
        visit.post(Pressed(control="lang.en"))
        assert speech.said[-1] == "stop"  # nothing said with the earphone out
        assert sounds.cues[-1] == "chime.staff"  # cues play either way
    finally:
        visit.stop()


def test_set_to_speak_on_the_speaker_it_speaks_without_an_earphone():
    guide, speech, _, _ = guided(speaker=True)
    visit = Visit(guide)
    try:
        assert texts(speech)[0].startswith("책이음 무인 대출기.")
        visit.post(Pressed(control="lang.en"))
        assert texts(speech)[-1].startswith("Chaekieum Self-Checkout.")
        assert speech.utterances[-1].language is Language.EN
    finally:
        visit.stop()


def test_controls_repeat_stop_louder_softer_faster_slower():
    guide, speech, _, _ = guided(volume=100, rate=175)
    visit = Visit(guide)
    try:
        assert guide.handle("voice.repeat") and guide.on  # asked for: on, on the speaker
        assert texts(speech) == [texts(speech)[0]] and texts(speech)[0].startswith("책이음 무인 대출기.")
        assert guide.handle("voice.louder")
        assert speech.volume == 120 and texts(speech)[-1] == "음량 9단계 중 6단계"
        assert guide.handle("voice.softer") and guide.handle("voice.softer") and speech.volume == 85
        assert guide.handle("voice.faster") and speech.rate == 200
        assert texts(speech)[-1] == "속도 8단계 중 5단계"
        assert guide.handle("voice.slower") and guide.handle("voice.slower") and speech.rate == 150
        assert speech.utterances[-1].rate == 150  # said at the new speed
        for _ in range(20):
            guide.handle("voice.louder")
        assert speech.volume == VOLUME_STEPS[-1]
        for _ in range(20):
            guide.handle("voice.slower")
        assert speech.rate == RATE_STEPS[0]
        assert guide.handle("voice.stop") and speech.said[-1] == "stop" and not guide.on
        assert not guide.handle("zoom.in") and not guide.handle("voice.sing")
    finally:
        visit.stop()


def test_volume_and_speed_are_back_to_normal_for_the_next_patron():
    guide, speech, _, jack = guided(volume=100, rate=175)
    jack.plug()
    visit = Visit(guide)
    try:
        visit.post(CardRead(technology="106A", uid="04a1", identifier=CARD))
        guide.handle("voice.louder")
        guide.handle("voice.faster")
        assert (speech.volume, speech.rate) == (120, 200)
        visit.post(Pressed(control="finish"))  # nothing borrowed: straight to goodbye
        visit.post(Pressed(control="ok"))  # the next patron's first screen
        assert visit.flow.state == "idle"
        assert (speech.volume, speech.rate) == (100, 175)
        assert speech.utterances[-1] == Said(speech.utterances[-1].text, Language.KO, rate=175, volume=100)
    finally:
        visit.stop()


def test_the_receipt_is_read_after_goodbye_and_not_cut_by_the_return_to_idle():
    guide, speech, _, jack = guided()
    jack.plug()
    visit = Visit(guide)
    try:
        visit.borrow_refuse_wait_call_staff()
        visit.post(Pressed(control="finish"))
        assert visit.flow.state == "goodbye"
        goodbye, receipt = speech.utterances[-2:]
        assert goodbye.text.startswith("이용해 주셔서 감사합니다.") and not goodbye.queue
        assert receipt.queue and receipt.text.startswith("영수증 내용입니다. 서울도서관.")
        assert "채식주의자, 반납일 2026년 12월 13일." in receipt.text
        assert "대출 불가 1권. 토지: 다른 회원이 예약한 책입니다." in receipt.text
        for _ in range(30):  # goodbye's seconds run out: back to idle
            visit.runtime.post(TimerFired(name="countdown"))
            visit.runtime.post(TimerFired(name="goodbye"))
            visit.settle()
        assert visit.flow.state == "idle"
        idle = speech.utterances[-1]
        assert idle.queue and idle.text.startswith("책이음 무인 대출기.")  # after the receipt
        assert speech.utterances[-2] is receipt  # no countdown second cut into it
    finally:
        visit.stop()


def test_a_busy_screen_is_said_only_after_a_moment():
    guide, speech, _, jack = guided()
    jack.plug()
    visit = Visit(guide)
    try:
        visit.post(CardRead(technology="106A", uid="04a1", identifier=CARD))
        working = [s for s in speech.utterances if s.text.startswith("잠시만 기다려 주세요")]
        assert working and working[0].after_s > 0
    finally:
        visit.stop()


def test_typing_a_number_and_pin_is_told_by_count_only():
    guide, speech, _, jack = guided()
    jack.plug()
    visit = Visit(guide)
    try:
        visit.post(Pressed(control="sign_in"))
        for d in "97531864":
            visit.post(Pressed(control=f"key.{d}"))
        visit.post(Pressed(control="enter"))
        for d in "4826":
            visit.post(Pressed(control=f"key.{d}"))
        said = " ".join(texts(speech)).replace(" ", "")
        for secret in ("97531864", "4826"):
            assert not any(secret[i : i + 2] in said for i in range(len(secret) - 1)), secret
        assert "8자리입력됨" in said and "4자리입력됨" in said
    finally:
        visit.stop()


def test_the_windows_strip_gets_a_handler_for_each_voice_control():
    guide, speech, _, _ = guided()
    handlers = guide.handlers()
    assert sorted(handlers) == sorted(
        ["voice.repeat", "voice.stop", "voice.louder", "voice.softer", "voice.faster", "voice.slower"]
    )
    handlers["voice.louder"]()
    assert speech.volume == 120 and guide.on


def test_controls_first_keeps_voice_controls_from_the_visit():
    from kiosk.core.events import Pressed
    from kiosk.runtime.voice import controls_first

    guide, _, _, _ = guided()
    posted = []
    post = controls_first(guide, posted.append)
    post(Pressed(control="voice.repeat"))
    post(Pressed(control="finish"))
    post(Pressed(control="voice.sing"))  # not one of the guide's: the visit's to refuse
    assert [e.control for e in posted] == ["finish", "voice.sing"]
    assert guide.on


def test_the_kiosk_wires_the_guide_to_the_runtime_the_earphone_and_the_window():
    from kiosk import config
    from kiosk.app import attach_ui, build
    from kiosk.core.effects import PlaySound

    kiosk = build(config.defaults())
    try:
        guide = kiosk.voice
        assert guide is not None and not guide.on
        assert kiosk.runtime.sound == guide.cue and guide.observe in kiosk.runtime.observers
        kiosk.sims.earphone.plug()  # the simulated jack of the default ([voice] earphone = "sim")
        assert guide.on and guide.earphone
        kiosk.sims.earphone.unplug()
        assert not guide.on
        window = attach_ui(kiosk, headless=True)
        assert set(window.presentation) >= {"voice.repeat", "voice.stop", "voice.louder"}
        window.presentation["voice.louder"]()
        assert guide.volume == 120
        kiosk.runtime._execute(PlaySound("beep.ok"))  # through the audio path, heard or not
        window.close()
    finally:
        kiosk.stop()
