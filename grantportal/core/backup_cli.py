"""`flask backup create` and `flask backup restore`: a thin shell over grantportal.core.backup."""
import click
from flask import current_app
from flask.cli import with_appcontext

from grantportal.core import backup as bk


def _fail(error):
    click.echo(str(error), err=True)
    raise click.exceptions.Exit(1)


def _size(path):
    size = path.stat().st_size
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


@click.group()
def backup():
    """数据库与文件的备份和恢复。"""


@backup.command("create")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="备份文件存放目录（默认 instance/backups）")
@with_appcontext
def create_command(out_dir):
    """备份数据库和已上传/出具的文件，生成一个 tar.gz 备份文件。"""
    app = current_app._get_current_object()
    try:
        path = bk.create_backup(app, out_dir)
    except bk.BackupError as e:
        _fail(e)
    m = bk.read_manifest(path)
    rows = sum(n for name, n in m["tables"].items() if name != "alembic_version")
    click.echo(f"已创建备份：{path}（{_size(path)}）")
    click.echo(f"  数据库：{bk.KIND_LABEL[m['database']]}，迁移版本 {m['alembic_revision']}，"
               f"{len(m['tables'])} 张表，共 {rows} 行")
    click.echo(f"  文件：{m['files']} 个；清单中记录了每个文件的 SHA-256。")
    chain = m.get("audit_chain")
    if chain and chain["sealed_through"] is not None:
        click.echo(f"  审计日志封存链：已封存至第 {chain['sealed_through']} 条，链头 {chain['head'][:16]}…，"
                   f"共 {len(chain['days'])} 个每日链头（可用 flask audit verify --against 比对）。")
    click.echo("备份中含有个人信息和密码散列，请妥善保管（仅限管理员可读）。")


@backup.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="确认覆盖目标数据库中已有的数据")
@with_appcontext
def restore_command(archive, yes):
    """从备份文件恢复数据库和文件（请先停止应用）。"""
    app = current_app._get_current_object()
    try:
        counts = bk.restore_backup(app, archive, force=yes)
    except bk.BackupError as e:
        _fail(e)
    m = bk.read_manifest(archive)
    click.echo(f"已从 {archive} 恢复：{bk.KIND_LABEL[m['database']]} 数据库（迁移版本 {m['alembic_revision']}，"
               f"备份于 {m['created_at']}）和 {m['files']} 个文件。")
    click.echo("各表行数与备份清单一致：")
    for name, n in counts.items():
        if n and name != "alembic_version":
            click.echo(f"  {name:<32} {n}")
    empty = sum(1 for name, n in counts.items() if not n)
    if empty:
        click.echo(f"  其余 {empty} 张表为空。")
