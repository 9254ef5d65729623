/**
 * The phone's position, or null when the device gives none (no geolocation, refused
 * permission, no HTTPS, timeout): the check-in and "Set to my current position" share it.
 *
 * @param {Object} [options]
 * @param {number} [options.maximumAge] how old a cached position may be (ms)
 * @returns {Promise<GeolocationCoordinates|null>}
 */
export function getKamPosition({maximumAge = 60000} = {}) {
    return new Promise((resolve) => {
        if (!navigator.geolocation) {
            resolve(null);
            return;
        }
        navigator.geolocation.getCurrentPosition(
            ({coords}) => resolve(coords),
            () => resolve(null),
            {enableHighAccuracy: true, timeout: 10000, maximumAge}
        );
    });
}
