"""Tests of the ``gxnet`` command's reference-data verbs, through click's CliRunner."""

from __future__ import annotations

import errno
import io
import json
import os

import pandas as pd
import pytest
from click.testing import CliRunner

from gxnet import __version__
from gxnet.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"gxnet, version {__version__}"


def test_cities_help_describes_the_verb():
    result = run("cities", "--help")
    assert result.exit_code == 0
    assert "List the 14 cities" in result.output and "--format [table|csv|json]" in result.output


def test_cities_csv_lists_14_cities_summing_to_the_census_total():
    result = run("cities", "--format", "csv")
    assert result.exit_code == 0
    table = pd.read_csv(io.StringIO(result.stdout))
    assert list(table.columns) == [
        "adcode",
        "name_zh",
        "name_pinyin",
        "population",
        "households",
        "counties",
    ]
    assert len(table) == 14
    assert table["population"].sum() == 50_126_804
    assert table["counties"].sum() == 111


def test_cities_table_aligns_chinese_names_and_separates_thousands():
    result = run("cities")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["adcode", "中文", "pinyin", "population", "2020", "households",
                                "counties"]  # fmt: skip
    wuzhou = next(line for line in lines if line.startswith("450400"))
    assert wuzhou.split() == ["450400", "梧州市", "Wuzhou", "2,820,977", "889,839", "7"]
    # 防城港市 is one character longer than the others, yet every row ends in the same column.
    assert len({len(line) + sum(ord(c) > 0x2E80 for c in line) for line in lines}) == 1


def test_cities_of_one_city_lists_its_counties_as_json():
    result = run("cities", "梧州", "--format", "json")
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert [r["name_pinyin"] for r in records][:3] == ["Wanxiu", "Changzhou", "Longxu"]
    assert sum(r["population"] for r in records) == 2_820_977
    assert records[0] == {
        "adcode": 450403,
        "name_zh": "万秀区",
        "name_pinyin": "Wanxiu",
        "population": 271_989,
        "households": 94_521,
    }


def test_unknown_city_is_one_line_on_stderr_with_exit_code_2():
    result = run("cities", "wuzho")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "gxnet: error: no city named 'wuzho' in Guangxi; did you mean Wuzhou (梧州市), "
        "Liuzhou (柳州市), Hezhou (贺州市), Qinzhou (钦州市)?\n"
    )


def test_adcode_outside_guangxi_is_a_user_error():
    result = run("cities", "440100")
    assert result.exit_code == 2
    assert "adcode 440100 is not in Guangxi" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("failure", "code", "line"),
    [
        (MemoryError(), 1, "gxnet: error: out of memory: plan a smaller area (a county), "),
        (
            OSError(errno.EIO, os.strerror(errno.EIO), "data/guangxi/regions.parquet"),
            1,
            "gxnet: error: data/guangxi/regions.parquet: Input/output error\n",
        ),
        (
            OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "out.csv"),
            1,
            "gxnet: error: out.csv: the disk is full (No space left on device); free some space",
        ),
        (KeyboardInterrupt(), 130, "gxnet: error: interrupted (Ctrl-C): files being written "),
    ],
)
def test_a_failure_of_the_machine_or_ctrl_c_is_one_line(monkeypatch, failure, code, line):
    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr("gxnet.regions.list_cities", fail)
    result = run("cities")
    assert result.exit_code == code
    assert result.stderr.startswith(line) and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
