"""The faqbot chat app (Textual). The core never imports this package."""
