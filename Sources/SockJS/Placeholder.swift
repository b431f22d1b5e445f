// Replaced by the SockJS server.
