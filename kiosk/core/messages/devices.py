"""Texts about the devices a patron uses directly: the card reader."""

KO: dict[str, str] = {
    "card.one_please": "카드를 한 장만 대 주세요. 지갑에서 회원증을 꺼내 대 주세요",
    "card.retry": "카드를 읽지 못했습니다. 카드를 리더에 댄 채로 잠시 기다리거나 다시 대 주세요",
    "card.not_supported": "이 카드로는 이용할 수 없습니다. 책이음 회원증을 대 주세요",
}

EN: dict[str, str] = {
    "card.one_please": "Please tap one card only. Take your library card out of the wallet",
    "card.retry": "The card could not be read. Hold it still on the reader, or tap it again",
    "card.not_supported": "This card cannot be used here. Please tap your Chaekieum library card",
}
