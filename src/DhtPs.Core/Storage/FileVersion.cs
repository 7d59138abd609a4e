namespace DhtPs.Core.Storage;

/// <summary>
/// Which write of a name a copy holds: a Lamport counter, raised past every version its owner has seen, and the id of
/// the peer the write came from, which breaks ties. The highest version wins everywhere: copies converge to it, a
/// release or a take-over never replaces it with a lower one, and a tombstone beats every write before it.
/// <see cref="Unknown"/> is a copy whose version was never recorded (written before versions, or found on disk without
/// its index entry): every recorded version beats it.
/// </summary>
public readonly record struct FileVersion(long Counter, ulong Writer) : IComparable<FileVersion>
{
    public static FileVersion Unknown => default;

    /// <summary>The next write by <paramref name="writer"/> after every version up to <paramref name="seen"/>.</summary>
    public static FileVersion After(long seen, ulong writer) => new(seen + 1, writer);

    public int CompareTo(FileVersion other) =>
        Counter != other.Counter ? Counter.CompareTo(other.Counter) : Writer.CompareTo(other.Writer);

    public static bool operator <(FileVersion left, FileVersion right) => left.CompareTo(right) < 0;
    public static bool operator >(FileVersion left, FileVersion right) => left.CompareTo(right) > 0;
    public static bool operator <=(FileVersion left, FileVersion right) => left.CompareTo(right) <= 0;
    public static bool operator >=(FileVersion left, FileVersion right) => left.CompareTo(right) >= 0;

    /// <summary>"counter.writer", as Get-DhtStoredFile and Test-DhtRing show it.</summary>
    public override string ToString() => $"{Counter}.{Writer}";
}
