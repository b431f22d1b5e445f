/// `hello`: the first frame of a session; names the user by account token or guest nickname.
///
/// `resume` maps room names to the last `seq` the client saw, so a reconnecting client rejoins
/// those rooms and receives exactly what it missed.
public struct HelloFrame: Decodable, Sendable, Equatable {
    /// The guest nickname.
    public var nick: String?
    /// An access token from `POST /api/login` or `/api/register`; signs in as that account.
    public var token: String?
    /// Room → last seen `seq`, for a reconnecting client.
    public var resume: [String: Int64]?

    public init(nick: String?, token: String? = nil, resume: [String: Int64]? = nil) {
        self.nick = nick
        self.token = token
        self.resume = resume
    }
}
