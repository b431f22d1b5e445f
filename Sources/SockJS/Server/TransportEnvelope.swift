import Foundation
import NIOCore

/// How each HTTP transport wraps frames on the wire, and what it sends first.
enum TransportEnvelope: Sendable {
    /// `xhr`, `xhr_streaming`: the frame and a newline.
    case xhr
    /// `eventsource`: `data: <frame>\r\n\r\n`.
    case eventSource
    /// `htmlfile`: `<script>\np("<frame>");\n</script>\r\n` inside an HTML page.
    case htmlFile(callback: String)
    /// `jsonp`: `/**/callback("<frame>");\r\n`.
    case jsonp(callback: String)

    /// What a streaming response writes before any frame.
    var prelude: ByteBuffer {
        switch self {
        case .xhr:
            // 2 KiB of `h`: old browsers only hand partial XHR responses to scripts after that.
            var buffer = ByteBuffer(repeating: UInt8(ascii: "h"), count: 2048)
            buffer.writeStaticString("\n")
            return buffer
        case .eventSource:
            return ByteBuffer(string: "\r\n")
        case .htmlFile(let callback):
            var page = Self.htmlFileHead.replacingOccurrences(of: "{{ callback }}", with: callback)
            // IE only starts rendering (and running the scripts) after 1 KiB.
            page += String(repeating: " ", count: max(0, 1024 - page.utf8.count + 14)) + "\r\n\r\n"
            return ByteBuffer(string: page)
        case .jsonp:
            return ByteBuffer()
        }
    }

    /// `frame` in this transport's envelope.
    func wrap(_ frame: SockJSFrame) -> ByteBuffer {
        var buffer = ByteBuffer()
        switch self {
        case .xhr:
            frame.write(to: &buffer)
            buffer.writeStaticString("\n")
        case .eventSource:
            buffer.writeStaticString("data: ")
            // sockjs-client decodeURI()s EventSource data, so `%` (and the line breaks and NUL
            // that would end the event) are percent-escaped, as sockjs-node does.
            for byte in frame.encoded.readableBytesView {
                switch byte {
                case UInt8(ascii: "%"): buffer.writeStaticString("%25")
                case UInt8(ascii: "\r"): buffer.writeStaticString("%0D")
                case UInt8(ascii: "\n"): buffer.writeStaticString("%0A")
                case 0: buffer.writeStaticString("%00")
                default: buffer.writeInteger(byte)
                }
            }
            buffer.writeStaticString("\r\n\r\n")
        case .htmlFile:
            buffer.writeStaticString("<script>\np(")
            // The frame becomes a JavaScript string literal inside HTML: `<` is escaped so no
            // message can close the script element.
            JSONStringEncoder.appendLiteral(frame.encoded.readableBytesView, to: &buffer, htmlSafe: true)
            buffer.writeStaticString(");\n</script>\r\n")
        case .jsonp(let callback):
            buffer.writeStaticString("/**/")
            buffer.writeString(callback)
            buffer.writeStaticString("(")
            JSONStringEncoder.appendLiteral(frame.encoded.readableBytesView, to: &buffer, htmlSafe: true)
            buffer.writeStaticString(");\r\n")
        }
        return buffer
    }

    /// Callbacks name a JavaScript function: `^[a-zA-Z0-9_.]+$`, so nothing else can be injected.
    static func isValidCallback(_ callback: Substring) -> Bool {
        !callback.isEmpty
            && callback.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
                    || byte == UInt8(ascii: ".")
            }
    }

    private static let htmlFileHead = """
        <!doctype html>
        <html><head>
          <meta http-equiv="X-UA-Compatible" content="IE=edge" />
          <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
        </head><body><h2>Don't panic!</h2>
          <script>
            document.domain = document.domain;
            var c = parent.{{ callback }};
            c.start();
            function p(d) {c.message(d);};
            window.onload = function() {c.stop();};
          </script>
        """
}
