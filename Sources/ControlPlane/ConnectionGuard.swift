import NIOCore

/// The first handler of every connection of the control plane's HTTP side, on raw bytes. Until
/// the first request head is complete the connection is pending: it is closed when
/// ``ConnectionLimits/headerTimeout`` passes, when it is the oldest of too many pending
/// (``PendingConnections``), or when the server shuts down. Once the server answers `101`, it
/// checks every frame the client sends is masked (``ClientFrameCheck``) and closes the
/// connection with status 1002 on one that is not.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private enum Phase {
        /// No complete request head yet; `matched` bytes of `\r\n\r\n` seen.
        case pending(matched: Int)
        /// The first head is in, its answer not yet out: what the client sent after the head
        /// (a request body, or frames sent ahead of an upgrade); nil past ``earlyLimit``.
        case answering(early: [UInt8]?)
        /// A plain HTTP connection: Hummingbird's idle timeout applies.
        case plain
        /// Upgraded: every client frame must be masked.
        case webSocket(ClientFrameCheck)
        /// Closing after an unmasked frame: nothing more is read.
        case refused
    }

    /// The most kept of what a client sends after its first head before the answer: a request
    /// body may be longer (it is passed on, not kept), frames ahead of an upgrade may not.
    private static let earlyLimit = 1 << 17
    private static let terminator: [UInt8] = Array("\r\n\r\n".utf8)
    private static let switching: [UInt8] = Array("HTTP/1.1 101".utf8)

    private let headerTimeout: Duration
    private let pending: PendingConnections
    private var phase = Phase.pending(matched: 0)
    private var ticket: UInt64?
    private var headerDeadline: Scheduled<Void>?

    init(headerTimeout: Duration, pending: PendingConnections) {
        self.headerTimeout = headerTimeout
        self.pending = pending
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.settle()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.settle()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = self.unwrapInboundIn(data).readableBytesView
        switch self.phase {
        case .pending(let matched):
            self.phase = self.scanForHead(bytes, matched: matched)
        case .answering(let early):
            self.phase = .answering(early: early.flatMap { $0.count + bytes.count <= Self.earlyLimit ? $0 + bytes : nil })
        case .plain:
            break
        case .refused:
            return
        case .webSocket(var check):
            guard check.accept(bytes) else { return self.refuseUnmasked(context: context) }
            self.phase = .webSocket(check)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .answering(let early) = self.phase, case .byteBuffer(let buffer) = self.unwrapOutboundIn(data) else {
            return context.write(data, promise: promise)
        }
        guard buffer.readableBytesView.starts(with: Self.switching) else {
            self.phase = .plain
            return context.write(data, promise: promise)
        }
        var check = ClientFrameCheck()
        let masked = early.map { check.accept($0) } ?? false
        self.phase = .webSocket(check)
        context.write(data, promise: promise)
        if !masked { self.refuseUnmasked(context: context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Shutting down: a connection that never sent a request has nothing to finish.
        if event is ChannelShouldQuiesceEvent, case .pending = self.phase { return context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    /// Admits the connection as pending (closing the oldest pending one when there are too
    /// many) and starts its header deadline.
    private func start(context: ChannelHandlerContext) {
        guard self.ticket == nil, case .pending = self.phase else { return }
        let (ticket, evicted) = self.pending.admit(context.channel)
        self.ticket = ticket
        evicted?.close(promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.headerDeadline = context.eventLoop.scheduleTask(in: .init(self.headerTimeout)) {
            loopBound.value.close(promise: nil)
        }
    }

    /// The phase after `bytes` arrive on a pending connection: still pending, or answering once
    /// the head's blank line is in (the bytes after it kept).
    private func scanForHead(_ bytes: ByteBufferView, matched: Int) -> Phase {
        var matched = matched
        for index in bytes.indices {
            let byte = bytes[index]
            matched = byte == Self.terminator[matched] ? matched + 1 : (byte == Self.terminator[0] ? 1 : 0)
            if matched == Self.terminator.count {
                self.settle()
                return .answering(early: Array(bytes[bytes.index(after: index)...]))
            }
        }
        return .pending(matched: matched)
    }

    /// Ends the pending state: the header deadline and the place among the pending.
    private func settle() {
        self.headerDeadline?.cancel()
        self.headerDeadline = nil
        if let ticket = self.ticket { self.pending.settle(ticket) }
    }

    /// Closes with 1002 (protocol error): the client sent a frame without a mask.
    private func refuseUnmasked(context: ChannelHandlerContext) {
        self.phase = .refused
        let close = context.channel.allocator.buffer(bytes: [0x88, 0x02, 0x03, 0xEA])
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(self.wrapOutboundOut(.byteBuffer(close))).whenComplete { _ in loopBound.value.close(promise: nil) }
    }
}
