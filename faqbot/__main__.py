from faqbot.cli import run

run()
