from pathlib import Path

import pytest

from bot.config import ChannelConfig, Config, load_config
from bot.errors import ConfigError
from bot.models import ChannelRef
from paperbot.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_is_exactly_the_defaults():
    example = load_config(ROOT / "config.example.toml")
    assert example.model_dump(exclude={"base_dir"}) == Config().model_dump(exclude={"base_dir"})
    assert example.db_path == ROOT / "data" / "paperbot.db"  # relative to the file, not the cwd


def test_every_setting_is_documented_in_the_example():
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    for section, model in Config.model_fields.items():
        if section == "base_dir":
            continue
        if section == "channels":  # an array of tables, shown commented out (the default is none)
            for name in ChannelConfig.model_fields:
                assert f"\n# {name} = " in text, f"[[channels]] {name} is not in config.example.toml"
            continue
        assert f"[{section}]" in text
        for name in model.annotation.model_fields:
            assert f"\n{name} = " in text, f"[{section}] {name} is not in config.example.toml"


def test_config_path_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "c.toml"
    path.write_text('[digest]\nmax_papers = 3\n')
    monkeypatch.setenv("PAPERBOT_CONFIG", str(path))
    assert load_config().digest.max_papers == 3
    assert load_config(None).db_path == tmp_path / "data" / "paperbot.db"


def test_openai_base_url_overrides_only_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    assert Config().llm_base_url == "http://127.0.0.1:11434/v1"
    path = tmp_path / "c.toml"
    path.write_text('[llm]\nbase_url = "http://127.0.0.1:8000/v1"\n')
    assert load_config(path).llm_base_url == "http://127.0.0.1:8000/v1"


@pytest.mark.parametrize("body, message", [
    ('[arxiv]\ncategories = ["cs.XY"]', "unknown arXiv category cs.XY"),
    ('[llm]\nconcurency = 3', "unknown setting 'llm.concurency'"),
    ('[llm]\nconcurrency = 0', "'llm.concurrency' Input should be greater than or equal to 1"),
    ('[arxiv\n', "is not valid TOML"),
    ('[arxiv]\nannounce_types = ["old"]', "'arxiv.announce_types.0'"),
])
def test_bad_config_is_one_clear_sentence(tmp_path, capsys, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value)

    assert main(["digest", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_missing_config_file(capsys, tmp_path):
    assert main(["digest", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_channels_with_overrides(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[digest]\ninterests = "robots"\n'
                    '[[channels]]\nplatform = "slack"\nid = "C1"\npost_at = "08:30"\ntimezone = "Europe/Berlin"\n'
                    'categories = ["cs.RO"]\nlanguage = "zh"\n'
                    '[[channels]]\nplatform = "slack"\nid = "C2"\n')
    config = load_config(path)
    vision = config.profile(config.channel("slack:C1").ref)
    assert vision.categories == ("cs.RO",) and vision.language == "zh"
    assert vision.interests == "robots" and vision.key == "slack:C1"
    plain = config.profile(ChannelRef("slack", "C2"))
    assert plain.categories == ("cs.CV",) and plain.language == "en" and plain.max_papers == 10
    elsewhere = config.profile(ChannelRef("discord", "123"))  # a command in a channel that is not configured
    assert elsewhere.categories == ("cs.CV",) and elsewhere.interests == "robots"
    assert config.profile().key == "markdown"
    with pytest.raises(ConfigError, match="channel slack:C9 is not configured .configured: slack:C1, slack:C2."):
        config.channel("slack:C9")


@pytest.mark.parametrize("entry, problem", [
    ('platform = "slack"\nid = "C1"\npost_at = "9am"', "channels.0.post_at"),
    ('platform = "slack"\nid = "C1"\ntimezone = "Mars/Olympus"', "unknown time zone"),
    ('platform = "teams"\nid = "C1"', "channels.0.platform"),
])
def test_bad_channel_is_one_sentence(tmp_path, entry, problem):
    path = tmp_path / "c.toml"
    path.write_text(f"[[channels]]\n{entry}\n")
    with pytest.raises(ConfigError, match=problem):
        load_config(path)
