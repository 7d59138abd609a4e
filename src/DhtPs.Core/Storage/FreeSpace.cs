namespace DhtPs.Core.Storage;

/// <summary>Room on the drive that holds a directory, asked before a received file is written there.</summary>
public static class FreeSpace
{
    /// <summary>The bytes free to this user on the drive of <paramref name="directory"/>; null when the system cannot say.</summary>
    public static long? Available(string directory)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null; // Not knowing is no reason to refuse: the write itself still fails cleanly on a full disk.
        }
    }
}
