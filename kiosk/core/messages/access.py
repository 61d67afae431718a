"""Texts of the accessibility strip on every screen: bigger text, high contrast, low position,
and the button that shows the voice controls (their own captions are in voice.py)."""

KO: dict[str, str] = {
    "access.strip": "화면과 음성 설정",
    # Each toggle says what a touch does now; short, so that the four share a row.
    "control.zoom": "글자 크게",
    "control.zoom_off": "원래 크기",
    "control.contrast": "고대비",
    "control.contrast_off": "기본 색",
    "control.low_position": "낮은 화면",
    "control.low_position_off": "원래 위치",
    "control.voice": "음성",
    "control.voice_close": "음성 닫기",
}

EN: dict[str, str] = {
    "access.strip": "Screen and voice settings",
    # Short: the four share a row at the usual size.
    "control.zoom": "Zoom",
    "control.zoom_off": "Normal size",
    "control.contrast": "Contrast",
    "control.contrast_off": "Normal colours",
    "control.low_position": "Lower",
    "control.low_position_off": "Raise",
    "control.voice": "Voice",
    "control.voice_close": "Close voice",
}
