"""Plugins that come with chinwag (prepackaged): each folder is a plugin bundle's contents."""
