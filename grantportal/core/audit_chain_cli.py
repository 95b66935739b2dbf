"""`flask audit seal`, `flask audit verify [--against FILE]` and `flask audit heads`: a thin shell over
grantportal.core.audit_chain (cron, the scheduler, or an auditor at the console)."""
import json
import tarfile
from pathlib import Path

import click
from flask.cli import with_appcontext

from grantportal.core import audit_chain as chain
from grantportal.core.backup import BackupError, read_manifest
from grantportal.core.db import db
from grantportal.core.timeutil import format_datetime


def _fail(message):
    click.echo(message, err=True)
    raise click.exceptions.Exit(1)


def _read_heads(path):
    """(label, expected heads) from a backup archive, its manifest.json, or the published heads JSON."""
    path = Path(path)
    try:
        if tarfile.is_tarfile(path):
            document = read_manifest(path)
        else:
            document = json.loads(path.read_text(encoding="utf-8"))
        heads = chain.expected_heads(document)
    except (BackupError, OSError, ValueError) as e:
        _fail(f"{path.name} 中没有可比对的审计日志链头（{e}）。")
    made = (document.get("created_at") or document.get("generated_at")) if isinstance(document, dict) else None
    return f"{path.name}{f'（{made}）' if made else ''}", heads


@click.group("audit")
def audit_cli():
    """审计日志封存链：封存、核验、链头。"""


@audit_cli.command("seal")
@with_appcontext
def seal_command():
    """封存已超过等待时间的审计记录（按编号顺序追加到封存链）。重复运行不会重复封存。"""
    result = chain.seal_settled()
    if result.through_entry_id is None:
        click.echo(f"尚无可封存的审计记录（{result.waiting} 条未超过等待时间）。")
        return
    click.echo(f"本次封存 {result.sealed} 条；封存链已到第 {result.through_entry_id} 条，链头 {result.head_hash}。")
    if result.waiting:
        click.echo(f"另有 {result.waiting} 条记录未超过等待时间，下次封存。")


@audit_cli.command("verify")
@click.option("--against", "against", type=click.Path(exists=True, dir_okay=False), default=None,
              help="与备份文件（.tar.gz）、其 manifest.json 或公布的链头 JSON 中的每日链头比对")
@with_appcontext
def verify_command(against):
    """逐条核验封存链；发现问题时列出第一处并以非零状态退出。"""
    label, heads = _read_heads(against) if against else (None, None)
    result = chain.verify(against=heads, against_label=label)
    chain.record_check(result, "cli")
    db.session.commit()
    if result.through_entry_id is None and result.ok:
        click.echo("封存链为空：尚无已封存的审计记录。")
        return
    walked = f"核验至第 {result.through_entry_id} 条（共 {result.entries} 条），" if result.through_entry_id else ""
    compared = f"已与 {label} 中的 {result.heads_compared} 个链头比对，" if label else ""
    if result.ok:
        click.echo(f"核验通过：{walked}{compared}链头 {result.head_hash}。")
        return
    click.echo(f"核验未通过：{walked}{compared}发现 {result.problem_count} 处问题。", err=True)
    click.echo(f"第一处：{result.first_problem.text}", err=True)
    for problem in result.problems[1:]:
        click.echo(f"  {problem.text}", err=True)
    if result.problem_count > len(result.problems):
        click.echo(f"  ……另有 {result.problem_count - len(result.problems)} 处未列出。", err=True)
    click.echo(f"核验完成于 {format_datetime(result.finished_at)}（北京时间），结果已记录。", err=True)
    raise click.exceptions.Exit(1)


@audit_cli.command("heads")
@with_appcontext
def heads_command():
    """以 JSON 输出封存链的最新链头和每日链头，供公布或离线保存。"""
    click.echo(json.dumps(chain.chain_heads(db.session.connection()), ensure_ascii=False, indent=1))
