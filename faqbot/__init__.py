"""faqbot: answers radiation-oncology billing-code questions from a sourced knowledge base.

The core (knowledge loading, code recognition, ranking, rules, answers) never imports Textual;
the CLI and the chat app are thin layers over :class:`faqbot.engine.Faqbot`.
"""

__version__ = "0.1.0"
