import pytest

from bot.errors import InvalidPaperId
from bot.arxiv.ids import PaperId, parse_paper_id


@pytest.mark.parametrize("text, expected", [
    ("2602.12281", PaperId("2602.12281")),
    ("2602.12281v2", PaperId("2602.12281", 2)),
    ("arXiv:2602.12281", PaperId("2602.12281")),
    ("  arxiv:2602.12281v3 ", PaperId("2602.12281", 3)),
    ("https://arxiv.org/abs/2602.12281", PaperId("2602.12281")),
    ("https://arxiv.org/abs/2602.12281v2", PaperId("2602.12281", 2)),
    ("http://arxiv.org/pdf/2602.12281v1", PaperId("2602.12281", 1)),
    ("https://arxiv.org/pdf/2602.12281v1.pdf", PaperId("2602.12281", 1)),
    ("<https://arxiv.org/abs/2602.12281>", PaperId("2602.12281")),  # as Slack wraps links
    ("hep-th/9901001", PaperId("hep-th/9901001")),
    ("math.GT/0309136v2", PaperId("math.GT/0309136", 2)),
    ("https://arxiv.org/abs/hep-th/9901001", PaperId("hep-th/9901001")),
    ("0704.0001", PaperId("0704.0001")),
    ("1412.9999v1", PaperId("1412.9999", 1)),
])
def test_every_accepted_form(text, expected):
    assert parse_paper_id(text) == expected


@pytest.mark.parametrize("text", ["", "hello", "2602.1", "2602.123456", "https://example.com/abs/2602.12281",
                                  "2602.12281; rm -rf /", "hep-th/99", "2602.1228", "1412.12345"])
def test_anything_else_is_one_sentence_with_the_valid_forms(text):
    with pytest.raises(InvalidPaperId) as caught:
        parse_paper_id(text)
    assert "is not an arXiv id; use a form like 2602.12281" in str(caught.value)
