import click


@click.group()
def demo():
    """演示数据。"""
