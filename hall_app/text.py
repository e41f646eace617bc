"""One check for every piece of free text a person types: what no database can store.

PostgreSQL refuses a NUL character (U+0000) in text, and no database driver can encode a
lone UTF-16 surrogate (U+D800–U+DFFF, what a broken paste or a bad input method leaves);
without this check the driver's error reached the window as 操作失败. `clean_text` strips
the value, refuses those characters with a `ValidationError` that names the field (in
Chinese, beside the input it belongs to), and enforces the length limit. Everything else
— emoji, control and zero-width characters, quotes — is stored exactly as typed.
"""

from __future__ import annotations

from hall_app.errors import ValidationError

# Display names of the fields, for the messages (the key is ValidationError.field).
FIELD_LABELS: dict[str, str] = {
    "reason": "原因",
    "notice": "告示内容",
    "note": "备注",
    "category": "类别",
    "customer_name": "客户姓名",
    "description": "投诉内容",
    "expectation": "客户期望",
    "address": "地址",
    "reply_text": "答复内容",
    "compensation": "补偿方案",
    "close_reason": "关闭原因",
    "name": "名称",
    "hotline": "服务热线",
}


def unstorable_character(value: str) -> str | None:
    """The first character no database can store (NUL or a lone surrogate), or None."""
    for ch in value:
        code = ord(ch)
        if code == 0 or 0xD800 <= code <= 0xDFFF:
            return ch
    return None


def clean_text(value: str | None, field: str, *, limit: int | None = None,
               label: str | None = None, required: str | None = None) -> str:
    """`value` stripped, or ValidationError naming `field`.

    `required`: the message when the stripped value is empty (None: empty is allowed).
    `limit`: the most characters allowed. `label`: the field's Chinese name in messages
    (default from FIELD_LABELS).
    """
    name = label or FIELD_LABELS.get(field, field)
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    bad = unstorable_character(text)
    if bad is not None:
        kind = "空字符" if bad == "\x00" else "无效的编码字符"
        raise ValidationError(
            f"「{name}」中含有无法保存的{kind}(U+{ord(bad):04X}),请删除后重新输入。",
            field=field, detail=f"unstorable character U+{ord(bad):04X} in {field}")
    text = text.strip()
    if required is not None and not text:
        raise ValidationError(required, field=field)
    if limit is not None and len(text) > limit:
        raise ValidationError(f"「{name}」不能超过{limit}个字。", field=field)
    return text


def optional_text(value: str | None, field: str, *, limit: int | None = None,
                  label: str | None = None) -> str | None:
    """Like `clean_text`, but an empty value becomes None."""
    return clean_text(value, field, limit=limit, label=label) or None
