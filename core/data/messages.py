"""Upload messages whose parameters are themselves catalog keys (field labels, dataset names, what a file
looks like): translated with the message, so a Chinese user reads "客户" where the form shows "客户 *",
never the internal `customer_id`."""

from __future__ import annotations

from core.platform.i18n import Message, translate

LIST_SEPARATOR = "data.list_separator"  # ", " in English, "、" in Chinese


class LabelledMessage(Message):
    """A Message whose `labels` (parameter -> catalog key, or list of keys) are translated in `text(lang)`."""

    def __init__(self, key: str, labels: dict[str, str | list[str]] | None = None, **params):
        self.labels = dict(labels or {})
        super().__init__(key, **params, **self._label_texts("en"))
        self.params = params  # the plain parameters; the labels are added per language

    def _label_texts(self, lang: str) -> dict[str, str]:
        def text(keys: str | list[str]) -> str:
            if isinstance(keys, str):
                return translate(keys, lang)
            return translate(LIST_SEPARATOR, lang).join(translate(k, lang) for k in keys)
        return {name: text(keys) for name, keys in self.labels.items()}

    def text(self, lang: str = "en") -> str:
        return translate(self.key, lang, **self.params, **self._label_texts(lang))
