"""`flask audit seal`, `flask audit verify [--against FILE | --archive FILE]`, `flask audit heads` and `flask audit
archive --before DATE`: a thin shell over grantportal.core.audit_chain and core.audit_archive (cron, the scheduler,
or an auditor at the console)."""
import json
import tarfile
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from grantportal.core import audit_archive
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
@click.option("--archive", "archive_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="核验一个归档文件（flask audit archive 写出的 .tar.gz），而不是数据库中的封存链")
@with_appcontext
def verify_command(against, archive_file):
    """逐条核验封存链；发现问题时列出第一处并以非零状态退出。"""
    if archive_file:
        _verify_archive_file(archive_file)
        return
    label, heads = _read_heads(against) if against else (None, None)
    result = chain.verify(against=heads, against_label=label)
    chain.record_check(result, "cli")
    db.session.commit()
    if result.through_entry_id is None and result.ok:
        click.echo("封存链为空：尚无已封存的审计记录。")
        return
    start = f"自第 {result.start_after} 条（已归档至该条）之后起，" if result.start_after else ""
    walked = (f"{start}核验至第 {result.through_entry_id} 条（共 {result.entries} 条），"
              if result.through_entry_id else "")
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


def _verify_archive_file(path):
    check = audit_archive.verify_archive(path)
    db.session.rollback()
    name = Path(path).name
    if not check.ok:
        click.echo(f"归档文件 {name} 核验未通过：", err=True)
        for problem in check.problems:
            click.echo(f"  {problem}", err=True)
        raise click.exceptions.Exit(1)
    m = check.manifest
    recorded = "，与数据库中的归档记录一致（文件 SHA-256 与终点链值相同）" if check.recorded else (
        "；数据库中没有这一归档的记录（另一套数据库的归档，或归档未完成）")
    click.echo(f"归档文件 {name} 核验通过：第 {m['first_entry_id']}–{m['through_entry_id']} 条，共 {check.entries} 条，"
               f"起点链值 {m['start_hash'][:16]}…，终点链值 {m['through_hash']}{recorded}。SHA-256 {check.sha256}。")


@audit_cli.command("archive")
@click.option("--before", "before", required=True,
              help="归档此日期（北京时间，YYYY-MM-DD）之前的记录；须距今至少六个月")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="归档文件写入的目录（默认 GRANTPORTAL_BACKUP_DIR）")
@with_appcontext
def archive_command(before, out_dir):
    """把六个月以前的已封存审计记录写入压缩的归档文件（含封存记录和链头），核验后从数据库中移除；
    剩余的封存链从归档的终点继续核验。"""
    try:
        cutoff = date.fromisoformat(before)
    except ValueError:
        _fail(f"日期格式不正确：{before}（应为 YYYY-MM-DD，如 2026-06-01）。")
    try:
        result = audit_archive.archive(cutoff, out_dir)
    except audit_archive.ArchiveRefused as e:
        _fail(f"未归档：{e}")
    plan = result.plan
    click.echo(f"已归档第 {plan.start.entry_id + 1}–{plan.through.entry_id} 条审计记录（{plan.entries} 条，"
               f"{cutoff.isoformat()} 之前）到 {result.path}")
    click.echo(f"  文件 SHA-256 {result.sha256}；终点链值 {plan.through.link_hash}。请把文件和 SHA-256 另行离线保存。")
    remaining = result.remaining
    if remaining.ok:
        click.echo(f"数据库中剩余的封存链核验通过（自第 {plan.through.entry_id} 条之后起，"
                   f"共 {remaining.entries} 条）。")
        return
    click.echo(f"数据库中剩余的封存链核验未通过：{remaining.first_problem.text}", err=True)
    raise click.exceptions.Exit(1)
