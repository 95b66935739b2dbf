"""`flask search rebuild` and `flask search refresh`: keep the public index (core/search.py) whole."""
import click
from flask.cli import with_appcontext

from grantportal.core import search


@click.group("search")
def search_cli():
    """公示索引（公开列表与站内搜索）的维护。"""


@search_cli.command("rebuild")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(sorted(search.KIND_LABELS)),
              help="只重建某一类（可重复）；默认全部")
@with_appcontext
def rebuild_command(kinds):
    """按数据库现有数据重建公示索引（升级数据库或批量导入数据之后运行）。"""
    for kind, count in search.rebuild(list(kinds) or None).items():
        click.echo(f"{search.KIND_LABELS[kind]}：{count:,} 条")


@search_cli.command("refresh")
@with_appcontext
def refresh_command():
    """更新到期的索引条目（评估等级到期或生效），每天运行一次。"""
    click.echo(f"已更新 {search.refresh_due():,} 条")
