"""`flask statistics refresh`: compute the public statistics now (cron, or after a bulk import)."""
import click
from flask.cli import with_appcontext

from grantportal.disclosure.statistics import queries


@click.group("statistics")
def statistics_cli():
    """公开统计数据的计算。"""


@statistics_cli.command("refresh")
@with_appcontext
def refresh_command():
    """重新计算统计页面的数据（页面显示的数据超过 STATISTICS_CACHE_SECONDS 时也会在后台自动重新计算）。"""
    snapshot = queries.refresh()
    figures = snapshot.figures["total"]
    click.echo(f"已计算：入选项目 {figures[2]:,} 个，用时 {snapshot.seconds:.1f} 秒")
