namespace CustomerAdmin.Features.Privacy.Export;

/// <summary>
/// What <see cref="System.IO.Compression.ZipArchive"/> writes to: it writes some parts (entry headers, data descriptors,
/// the central directory) synchronously, which Kestrel refuses. Every write lands in a buffer here, and the export
/// sends the buffer on with <see cref="DrainAsync"/> after each piece, so the response is written asynchronously,
/// as it is made, and the buffer stays small.
/// </summary>
public sealed class ZipOutput(Stream destination) : Stream
{
    private readonly MemoryStream _buffer = new();
    private long _written;

    /// <summary>Sends what has been written so far.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        if (_buffer.Length == 0) return;
        await destination.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), ct);
        _buffer.SetLength(0);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _buffer.Write(buffer);
        _written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush() { }

    public override Task FlushAsync(CancellationToken cancellationToken) => DrainAsync(cancellationToken);

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _written;
    public override long Position { get => _written; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _buffer.Dispose();
        base.Dispose(disposing);
    }
}
