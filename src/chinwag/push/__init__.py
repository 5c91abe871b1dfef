"""Mobile push: the client for the push proxy (EmailSettings.PushNotificationServer)."""
