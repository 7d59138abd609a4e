using System.IO.Enumeration;
using DhtPs.Core.Storage;

namespace DhtPs.Simulation;

/// <summary>
/// A simulated host's disk: files are byte arrays, stamped with the simulated clock, and every stream completes
/// synchronously, so storage code runs inline on the simulation thread. Like the disk, a writer has its file to
/// itself, readers see the content as it was when they opened it, and a rename replaces its destination at once.
/// A writer's bytes become the file's content when it flushes or closes (durability is not simulated).
/// </summary>
public sealed class InMemoryFileSystem(TimeProvider clock) : IFileSystem
{
    private readonly Dictionary<string, StoredBytes> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);

    public DateTime UtcNow => clock.GetUtcNow().UtcDateTime;

    public bool FileExists(string path) => _files.ContainsKey(path);

    public bool DirectoryExists(string path) => _directories.Contains(Path.TrimEndingDirectorySeparator(path));

    public void CreateDirectory(string path)
    {
        for (var directory = Path.TrimEndingDirectorySeparator(path); !string.IsNullOrEmpty(directory); directory = Path.GetDirectoryName(directory))
            _directories.Add(directory);
    }

    public IEnumerable<string> EnumerateFiles(string directory, string searchPattern)
    {
        directory = Path.TrimEndingDirectorySeparator(directory);
        if (!_directories.Contains(directory))
            throw new DirectoryNotFoundException($"No directory {directory}.");
        // A copy in name order: callers delete as they go, and the order must not depend on anything but the names.
        return _files.Keys
            .Where(path => Path.GetDirectoryName(path) == directory && FileSystemName.MatchesSimpleExpression(searchPattern, Path.GetFileName(path)))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    public FileStamp? GetStamp(string path) =>
        _files.TryGetValue(path, out var file) ? new FileStamp(file.Content.Length, file.LastWriteUtc) : null;

    public Stream OpenRead(string path) =>
        _files.TryGetValue(path, out var file)
            ? new MemoryStream(file.Content, writable: false)
            : throw new FileNotFoundException($"No file {path}.", path);

    public Stream CreateNew(string path)
    {
        if (_files.ContainsKey(path))
            throw new IOException($"The file {path} already exists.");
        return Open(path, canRead: false);
    }

    public Stream OpenOrCreate(string path) => Open(path, canRead: true);

    public void FlushToDisk(Stream file) => file.Flush();

    public void Move(string source, string destination)
    {
        if (!_files.Remove(source, out var file))
            throw new FileNotFoundException($"No file {source}.", source);
        EnsureDirectoryOf(destination);
        _files[destination] = file;
    }

    public void Delete(string path)
    {
        if (_files.TryGetValue(path, out var file) && file.IsOpenForWriting)
            throw new IOException($"The file {path} is open.");
        _files.Remove(path);
    }

    /// <summary>A simulated disk never fills up: the simulation tests placement, not disk space.</summary>
    public long? AvailableBytes(string directory) => null;

    /// <summary>A file's whole content, for checks; null when there is none.</summary>
    public byte[]? ReadAllBytes(string path) => _files.TryGetValue(path, out var file) ? file.Content : null;

    /// <summary>Puts a file in place, creating its directory: a local file a user has before a store.</summary>
    public void WriteAllBytes(string path, byte[] content)
    {
        CreateDirectory(Path.GetDirectoryName(path)!);
        _files[path] = new StoredBytes(content.ToArray(), UtcNow);
    }

    private WriteStream Open(string path, bool canRead)
    {
        EnsureDirectoryOf(path);
        if (!_files.TryGetValue(path, out var file))
            _files[path] = file = new StoredBytes([], UtcNow);
        if (file.IsOpenForWriting)
            throw new IOException($"The file {path} is open.");
        return new WriteStream(file, canRead, () => UtcNow);
    }

    private void EnsureDirectoryOf(string path)
    {
        var directory = Path.GetDirectoryName(path);
        if (directory is null || !_directories.Contains(directory))
            throw new DirectoryNotFoundException($"No directory for {path}.");
    }

    private sealed class StoredBytes(byte[] content, DateTime lastWriteUtc)
    {
        /// <summary>Replaced, never changed in place: a reader's snapshot stays as it was.</summary>
        public byte[] Content { get; set; } = content;
        public DateTime LastWriteUtc { get; set; } = lastWriteUtc;
        public bool IsOpenForWriting { get; set; }
    }

    /// <summary>A writer over a private copy of the file, published to it on flush and on close.</summary>
    private sealed class WriteStream : MemoryStream
    {
        private readonly StoredBytes _file;
        private readonly bool _canRead;
        private readonly Func<DateTime> _now;
        private bool _changed;

        public WriteStream(StoredBytes file, bool canRead, Func<DateTime> now)
        {
            _file = file;
            _canRead = canRead;
            _now = now;
            file.IsOpenForWriting = true;
            base.Write(file.Content);
            Position = 0;
            _changed = false; // Copying the content in is not a write.
        }

        public override bool CanRead => _canRead && base.CanRead;

        public override int Read(byte[] buffer, int offset, int count) =>
            _canRead ? base.Read(buffer, offset, count) : throw new NotSupportedException("The file is open for writing only.");

        public override int Read(Span<byte> buffer) =>
            _canRead ? base.Read(buffer) : throw new NotSupportedException("The file is open for writing only.");

        public override void Write(byte[] buffer, int offset, int count)
        {
            base.Write(buffer, offset, count);
            _changed = true;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            base.Write(buffer);
            _changed = true;
        }

        public override void SetLength(long value)
        {
            base.SetLength(value);
            _changed = true;
        }

        public override void Flush()
        {
            if (!_changed)
                return;
            _file.Content = ToArray();
            _file.LastWriteUtc = _now();
            _changed = false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && _file.IsOpenForWriting)
            {
                Flush();
                _file.IsOpenForWriting = false;
            }
            base.Dispose(disposing);
        }
    }
}
