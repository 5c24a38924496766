"""Settings: TOML loading, per-key overrides, and rejection of what is not a setting."""

from __future__ import annotations

import pytest

from tenkan.config import to_dict
from tenkan.face.config import TenkanConfig, load_config
from tenkan.errors import ConfigError
from tenkan.paths import DEFAULT_CONFIG_FILE


def test_defaults_load_without_a_file():
    cfg = load_config()
    assert isinstance(cfg, TenkanConfig)
    assert cfg.source == "defaults"
    assert cfg.ingest.sites == ["demo"]


def test_shipped_tenkan_toml_documents_exactly_the_defaults():
    shipped = load_config(DEFAULT_CONFIG_FILE)
    defaults = load_config()
    assert to_dict(shipped) | {"source": ""} == to_dict(defaults) | {"source": ""}


def test_file_and_override_layers(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text('[index]\ntop_k = 7\n\n[ingest]\nsites = ["demo", "jea"]\n', encoding="utf-8")
    cfg = load_config(f, ["index.top_k=9", "assistant.mode=extractive"])
    assert cfg.index.top_k == 9  # the override wins over the file
    assert cfg.ingest.sites == ["demo", "jea"]
    assert cfg.source == str(f)


@pytest.mark.parametrize(
    "toml, message",
    [
        ("[index]\ntopk = 3\n", "unknown key(s) 'topk' in [index]"),
        ("[indx]\ntop_k = 3\n", "unknown section(s) indx"),
        ('[index]\ntop_k = "three"\n', "index.top_k = 'three' has the wrong type"),
        ("[index]\ntop_k = 0\n", "top_k must be >= 1"),
        ("[index\n", "not valid TOML"),
    ],
)
def test_bad_files_are_refused_with_the_reason(tmp_path, toml, message):
    f = tmp_path / "bad.toml"
    f.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(f)
    assert message in str(err.value)


def test_override_must_name_section_and_key():
    with pytest.raises(ConfigError, match="section and a key"):
        load_config(overrides=["top_k=3"])
    with pytest.raises(ConfigError, match="unknown key"):
        load_config(overrides=["index.nope=1"])


def test_override_values_are_parsed_as_toml_else_string():
    cfg = load_config(overrides=["ingest.timeout_s=2", "ingest.user_agent=my-bot/1.0"])
    assert cfg.ingest.timeout_s == 2.0 and isinstance(cfg.ingest.timeout_s, float)
    assert cfg.ingest.user_agent == "my-bot/1.0"


def test_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
