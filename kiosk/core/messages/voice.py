"""Texts of voice guidance: what is said besides the screen's own texts, and the voice controls."""

KO: dict[str, str] = {
    # the voice controls (the accessibility strip on every screen)
    "control.voice.repeat": "다시 듣기",
    "control.voice.stop": "멈춤",
    "control.voice.louder": "크게",
    "control.voice.softer": "작게",
    "control.voice.faster": "빠르게",
    "control.voice.slower": "느리게",
    # said with a screen
    "voice.buttons": "버튼: {controls}",
    "voice.countdown": "{seconds}초 남았습니다",
    "voice.extend_hint": "시간이 더 필요하면 {control} 버튼을 누르세요",
    "voice.field": "{label}: {value}",
    # a masked name is never spoken: this word stands for it
    "voice.patron": "회원",
    "voice.on": "음성 안내를 시작합니다",
    "voice.volume": "음량 {steps}단계 중 {level}단계",
    "voice.rate": "속도 {steps}단계 중 {level}단계",
    # the receipt read aloud
    "voice.receipt": "영수증 내용입니다",
    "voice.receipt_end": "영수증 내용을 모두 읽었습니다",
}

EN: dict[str, str] = {
    "control.voice.repeat": "Repeat",
    "control.voice.stop": "Stop",
    "control.voice.louder": "Louder",
    "control.voice.softer": "Softer",
    "control.voice.faster": "Faster",
    "control.voice.slower": "Slower",
    "voice.buttons": "Buttons: {controls}",
    "voice.countdown": "{seconds} seconds left",
    "voice.extend_hint": "If you need more time, press {control}",
    "voice.field": "{label}: {value}",
    "voice.patron": "Hello",
    "voice.on": "Voice guidance on",
    "voice.volume": "Volume {level} of {steps}",
    "voice.rate": "Speed {level} of {steps}",
    "voice.receipt": "Your receipt says",
    "voice.receipt_end": "End of the receipt",
}
